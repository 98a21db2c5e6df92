// RotorOperator: reconcilers and their pure planning logic (being written).
