# cdf.gp - the response-time distribution of one client, of every request
# and of each kind of operation, on a log time axis, with 95% intervals of
# the response time as error bars when there are replications. distsim
# runs it in the output directory as
#   gnuplot -d -c cdf.gp DATA OUT FORMAT TITLE SHADING N_SHADING BANDS
#                        RUN_S LAYOUT
# (SHADING, N_SHADING and RUN_S unused). LAYOUT starts with the number of
# curves. DATA has six columns per curve after the point index: x, its
# bounds, y, its bounds; this script only formats. A curve's key is its
# x header up to " x (".
data = ARG1
bands = int(ARG7)
n = int(word(ARG9, 1))
key(h) = h[1:strstrt(h, " x (") - 1]

set encoding utf8
if (ARG3 eq "svg") {
    set terminal svg size 960,440 font "sans,11" background "white"
} else {
    set terminal pngcairo size 960,440 font "sans,10" background "white"
}
set output ARG2
set datafile separator "\t"
set title ARG4 noenhanced
set key outside right top noenhanced
set logscale x
set xlabel "response time (ms, log scale)"
set ylabel "share of requests at or below"
set yrange [0:1]
set grid xtics ytics mxtics lc rgb "#dddddd"

plot \
    for [i=0:(bands ? n - 1 : -1)] data every 6 \
        using (column(2 + 6 * i)):(column(5 + 6 * i)) \
              :(column(3 + 6 * i)):(column(4 + 6 * i)) \
        with xerrorbars lc i + 1 pt 0 notitle, \
    for [i=0:n - 1] data using (column(2 + 6 * i)):(column(5 + 6 * i)) \
        with lines lw 1.5 lc i + 1 title key(columnhead(2 + 6 * i))
