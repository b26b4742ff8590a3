# SPDX-License-Identifier: MIT
# One figure of a sweep against the swept parameter, one line per series,
# each point with its 95% interval as a bar. Formatting only; distsim
# computes everything. Run as:
#   gnuplot -c plots/sweep.gp DATA OUT.svg TITLE XLABEL YLABEL XSCALE
# DATA holds blocks separated by two blank lines, each opening with a
# header line whose second column names the series; rows are
# x, mean, half-width. XSCALE is "log" or "linear".
set terminal svg size 720,440 dynamic font "sans,11" noenhanced
set output ARG2
set title ARG3 noenhanced
set xlabel ARG4 noenhanced
set ylabel ARG5 noenhanced
set key outside right top noenhanced
set grid
if (ARG6 eq "log") { set logscale x }
stats ARG1 using 1 nooutput
plot for [i=0:STATS_blocks-1] ARG1 index i using 1:2:3 \
    with yerrorlines pointtype 7 pointsize 0.6 title columnheader(2)
