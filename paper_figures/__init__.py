"""One script per figure and table of the KAN paper; run as ``python -m paper_figures.fig_2_3``."""
