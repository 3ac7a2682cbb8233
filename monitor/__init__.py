"""Court Deadline Monitor: watch court cases, compute their deadlines, remind advocates."""

__version__ = "0.1.0"
