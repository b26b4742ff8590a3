# SPDX-License-Identifier: MIT
# One figure of a sweep against the swept parameter, one line per series,
# each point with its 95% interval as a bar. Formatting only; distsim
# computes everything, the positions of named values included. Run as:
#   gnuplot -c plots/sweep.gp DATA OUT.svg TITLE XLABEL YLABEL XSCALE
# DATA is tab-separated, in blocks separated by two blank lines, each
# opening with a header line whose second column names the series; rows
# are x, mean, half-width and, on a category axis, the tick label.
# XSCALE is "linear", "log", "category" (evenly spaced named ticks, the
# points not joined: they are separate designs) or "category-slanted"
# (the same, with labels too long to lie flat).
set terminal svg size 720,440 dynamic font "sans,11" noenhanced
set output ARG2
set datafile separator "\t"
set title ARG3 noenhanced
set xlabel ARG4 noenhanced
set ylabel ARG5 noenhanced
set key outside right top noenhanced
set grid
if (ARG6 eq "log") { set logscale x }
is_category = ARG6 eq "category" || ARG6 eq "category-slanted"
if (is_category) { set offsets 0.5, 0.5, 0, 0; set xtics scale 0 }
if (ARG6 eq "category-slanted") {
    set xtics rotate by -30 left
    set bmargin 8
}
stats ARG1 using 1 nooutput
if (is_category) {
    plot for [i=0:STATS_blocks-1] ARG1 index i using 1:2:3:xtic(4) \
        with yerrorbars pointtype 7 pointsize 0.8 title columnheader(2)
} else {
    plot for [i=0:STATS_blocks-1] ARG1 index i using 1:2:3 \
        with yerrorlines pointtype 7 pointsize 0.6 title columnheader(2)
}
