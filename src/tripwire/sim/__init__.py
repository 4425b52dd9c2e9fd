"""The simulation: compiled rules, the Mesa model and its agents, adjudication, events."""
