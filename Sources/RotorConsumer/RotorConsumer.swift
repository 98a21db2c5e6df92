// RotorConsumer: the application side of overlap rotation (being written).
