"""Reports: plots and documents made from batch summaries and game logs."""
