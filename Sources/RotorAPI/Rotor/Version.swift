public enum RotorAPIVersion { public static let string = "0.1.0" }
