/// An in-process HashiCorp Vault emulator (being built).
public enum VaultEmulatorNamespace {}
