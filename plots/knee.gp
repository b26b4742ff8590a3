# SPDX-License-Identifier: MIT
# The throughput-latency curve of a sweep: each point with its 95%
# intervals on both axes, the SLO as a horizontal line and the knee
# marked. Formatting only; distsim computes the knee. Run as:
#   gnuplot -c plots/knee.gp DATA OUT.svg TITLE XLABEL YLABEL
# DATA is tab-separated, in three blocks, each opening with a header
# line: the curve (throughput, latency, their half-widths), the SLO line
# (two rows) and the knee (one row); a block with no row is left out.
set terminal svg size 720,440 dynamic font "sans,11" noenhanced
set output ARG2
set datafile separator "\t"
set title ARG3 noenhanced
set xlabel ARG4 noenhanced
set ylabel ARG5 noenhanced
set key outside below noenhanced
set grid
stats ARG1 using 1 nooutput
plot ARG1 index 0 using 1:2:3:4 with xyerrorbars pointtype 7 \
        pointsize 0.6 title columnheader(2), \
     ARG1 index 0 using 1:2 with lines linetype 1 notitle, \
     for [i=1:STATS_blocks-1] ARG1 index i using 1:2 \
        with linespoints linewidth 2 pointtype 6 pointsize 1.5 \
        title columnheader(2)
