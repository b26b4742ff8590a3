# throughput.gp - throughput (above) and availability (below) of every
# client over simulated time, the warm-up and fault windows shaded and
# labelled, 95% bands when there are replications.
# distsim runs it in the output directory as
#   gnuplot -d -c throughput.gp DATA OUT FORMAT TITLE SHADING N_SHADING
#                               BANDS RUN_S LAYOUT
# LAYOUT starts "N1 N2", the lines of each panel (a panel of none is
# left out); its other words are unused. DATA holds every number
# already scaled; this script only formats. A line's key is its header up
# to " (".
data = ARG1
shading = ARG5
n_shading = int(ARG6)
bands = int(ARG7)
n1 = int(word(ARG9, 1))
n2 = int(word(ARG9, 2))
key(h) = h[1:strstrt(h, " (") - 1]

set encoding utf8
if (ARG3 eq "svg") {
    set terminal svg size 960,640 font "sans,11" background "white"
} else {
    set terminal pngcairo size 960,640 font "sans,10" background "white"
}
set output ARG2
set datafile separator "\t"
set key outside right top noenhanced
set xrange [0:real(ARG8)]
set y2range [0:1]
unset y2tics
set grid ytics lc rgb "#dddddd"
set style fill transparent solid 0.2 noborder
# The warm-up's label lies at the foot of its band, the faults' at the
# top of theirs, so that a fault from 0 s does not cover it.
warm(c) = strcol(c) eq "warm-up" ? "warm-up" : ""
fault(c) = strcol(c) eq "warm-up" ? "" : strcol(c)
set lmargin 12
set rmargin 22
set multiplot layout (n1 > 0) + (n2 > 0), 1 title ARG4 noenhanced

first = 0
last = n1 - 1
if (n1 > 0) {
    set ylabel "throughput (1/s)"
    set yrange [0:*]
    set xlabel (n2 > 0 ? "" : "simulated time (s)")
    plot \
        for [k=1:(n_shading > 0)] shading using 1:(0):1:2:(0):(1):3 \
            axes x1y2 with boxxyerror lc rgb variable notitle, \
        for [k=1:(n_shading > 0)] shading using 5:(0.98):(fault(4)) \
            axes x1y2 with labels left rotate by -90 offset 1,0 \
            font ",8" tc rgb "#505050" noenhanced notitle, \
        for [k=1:(n_shading > 0)] shading \
            using (($1 + $2) / 2):(0.03):(warm(4)) axes x1y2 \
            with labels center font ",8" tc rgb "#505050" \
            noenhanced notitle, \
        for [i=first:(bands ? last : -1)] data \
            using 1:(column(3 + 3 * i)):(column(4 + 3 * i)) \
            with filledcurves lc i + 1 notitle, \
        for [i=first:last] data using 1:(column(2 + 3 * i)) \
            with lines lw 1.5 lc i + 1 \
            title key(columnhead(2 + 3 * i))
}
first = n1
last = n1 + n2 - 1
if (n2 > 0) {
    set ylabel "availability (%)"
    set yrange [*:100]
    set xlabel "simulated time (s)"
    plot \
        for [k=1:(n_shading > 0)] shading using 1:(0):1:2:(0):(1):3 \
            axes x1y2 with boxxyerror lc rgb variable notitle, \
        for [k=1:(n_shading > 0)] shading using 5:(0.98):(fault(4)) \
            axes x1y2 with labels left rotate by -90 offset 1,0 \
            font ",8" tc rgb "#505050" noenhanced notitle, \
        for [k=1:(n_shading > 0)] shading \
            using (($1 + $2) / 2):(0.03):(warm(4)) axes x1y2 \
            with labels center font ",8" tc rgb "#505050" \
            noenhanced notitle, \
        for [i=first:(bands ? last : -1)] data \
            using 1:(column(3 + 3 * i)):(column(4 + 3 * i)) \
            with filledcurves lc i - first + 1 notitle, \
        for [i=first:last] data using 1:(column(2 + 3 * i)) \
            with linespoints lw 1.5 pt 7 ps 0.4 lc i - first + 1 \
            title key(columnhead(2 + 3 * i))
}
unset multiplot
