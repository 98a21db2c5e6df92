// SecretProviders: provider protocols and SecretValue (being written).
