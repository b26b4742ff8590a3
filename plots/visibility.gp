# visibility.gp - t-visibility: the probability that a read returns the
# newest committed version against the time since that commit, per
# client, with 95% bands when there are replications. distsim runs it in
# the output directory as
#   gnuplot -d -c visibility.gp DATA OUT FORMAT TITLE SHADING N_SHADING
#                               BANDS RUN_S LAYOUT
# (SHADING, N_SHADING and RUN_S unused). LAYOUT is "N 0 0 0 0 0 X_LO
# X_HI": N curves, and the time range distsim chose to show (0 0: the
# data's), from the decade below the first point to the decade above
# where every curve stays near 1, or where the data end. DATA has six
# columns per curve after the point index: x, its bounds, y, its bounds;
# this script only formats. A curve's key is its x header up to " x (".
data = ARG1
bands = int(ARG7)
n = int(word(ARG9, 1))
key(h) = h[1:strstrt(h, " x (") - 1]
x_lo = real(word(ARG9, 7))
x_hi = real(word(ARG9, 8))

set encoding utf8
if (ARG3 eq "svg") {
    set terminal svg size 960,440 font "sans,11" background "white"
} else {
    set terminal pngcairo size 960,440 font "sans,10" background "white"
}
set output ARG2
set datafile separator "\t"
set datafile missing "nan"
set title ARG4 noenhanced
set key outside right top noenhanced
set xlabel "time since the commit (ms, log scale)"
set logscale x
if (x_hi > 0) {
    set xrange [x_lo:x_hi]
}
set ylabel "probability of a fresh read"
set yrange [0:1.04]
set ytics 0, 0.2, 1
set grid xtics ytics lc rgb "#dddddd"
set style fill transparent solid 0.2 noborder

plot \
    for [i=0:(bands ? n - 1 : -1)] data \
        using (column(2 + 6 * i)):(column(6 + 6 * i)):(column(7 + 6 * i)) \
        with filledcurves lc i + 1 notitle, \
    for [i=0:n - 1] data using (column(2 + 6 * i)):(column(5 + 6 * i)) \
        with lines lw 1.5 lc i + 1 title key(columnhead(2 + 6 * i))
