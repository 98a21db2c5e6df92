import Foundation
import HTTPServing
import KubeClient
import KubernetesEmulator
import JSONCore
import KubeAPI
import RotorAPI
import VaultEmulator

/// The Vault side of `rotor dev`: a Vault emulator set up the way a platform team sets
/// up a real Vault for Rotor — a KV v2 engine at `secret/`, a policy, the kubernetes auth
/// method pointed at the cluster (TokenReview), a role bound to a ServiceAccount — and a
/// few seeded secrets. Its address, root token and CA go to `vault.env` next to the
/// kubeconfig so a user can write new versions with `curl` or the `vault` CLI.
enum DevVault {
    static let serviceAccount = "rotor-vault"
    static let namespace = "default"
    static let role = "rotor"
    static let policy = "rotor-demo"

    struct Started {
        let emulator: VaultEmulator
        let envFile: String
        let caFile: String
    }

    static func start(host: String, port: Int, kubernetes: KubernetesEmulator, client: HTTPKubernetesClient, directory: String) async throws -> Started {
        var configuration = VaultEmulator.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.logger.logLevel = .warning
        let vault = try await VaultEmulator.start(configuration)
        try await configure(vault, kubernetes: kubernetes)
        _ = try await client.create(ServiceAccount(metadata: ObjectMeta(name: serviceAccount, namespace: namespace)), namespace: namespace)
        await vault.write(["user": "app", "password": "vault-demo-password-1"], to: "shop/db")
        await vault.write(["token": "vault-demo-token-1"], to: "shop/api")

        let caFile = directory + "/vault-ca.pem"
        let envFile = directory + "/vault.env"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data((vault.caCertificatePEM ?? "").utf8).write(to: URL(fileURLWithPath: caFile))
        let env = """
            export VAULT_ADDR=\(vault.url)
            export VAULT_TOKEN=\(vault.rootToken)
            export VAULT_CACERT=\(caFile)

            """
        // It holds the root token: readable by its owner only, from its first byte.
        try PrivateFile.write(env, to: envFile)
        return Started(emulator: vault, envFile: envFile, caFile: caFile)
    }

    /// What a user would do with `vault policy write`, `vault auth enable kubernetes`,
    /// `vault write auth/kubernetes/config …` and `vault write auth/kubernetes/role/rotor …`.
    private static func configure(_ vault: VaultEmulator, kubernetes: KubernetesEmulator) async throws {
        let steps: [(String, String, JSONValue)] = [
            ("PUT", "sys/policies/acl/\(policy)", [
                "policy": """
                path "secret/data/*" { capabilities = ["create", "read", "update"] }
                path "secret/metadata/*" { capabilities = ["read", "list"] }
                """,
            ]),
            ("POST", "sys/auth/kubernetes", ["type": "kubernetes"]),
            ("POST", "auth/kubernetes/config", [
                "kubernetes_host": .string(kubernetes.url), "kubernetes_ca_cert": .string(kubernetes.caCertificatePEM ?? ""),
                "token_reviewer_jwt": .string(kubernetes.adminToken),
            ]),
            ("POST", "auth/kubernetes/role/\(role)", [
                "bound_service_account_names": [.string(serviceAccount)], "bound_service_account_namespaces": [.string(namespace)],
                "audience": "vault", "token_policies": [.string(policy)], "token_ttl": "1h", "token_max_ttl": "24h",
            ]),
        ]
        for (method, path, body) in steps {
            let (status, answer) = await vault.request(method, path, body: body)
            guard (200..<300).contains(status) else {
                throw DevVaultError(message: "configuring the Vault emulator: \(method) \(path) answered \(status) \(answer?.serializedString() ?? "")")
            }
        }
    }

    struct DevVaultError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// A SecretStore named `vault` using kubernetes auth, as in the README.
    static func store(_ vault: VaultEmulator, name: String = "vault") -> JSONValue {
        [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "SecretStore", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "provider": [
                    "vault": [
                        "server": .string(vault.url), "path": "secret", "version": "v2",
                        "caBundle": .string(Data((vault.caCertificatePEM ?? "").utf8).base64EncodedString()),
                        "auth": [
                            "kubernetes": [
                                "mountPath": "kubernetes", "role": .string(role),
                                "serviceAccountRef": ["name": .string(serviceAccount), "audiences": ["vault"]],
                            ],
                        ],
                    ],
                ],
            ],
        ]
    }

    /// The demo: the Vault store and an ExternalSecret reading `shop/db` from it.
    static func applyDemo(_ vault: VaultEmulator, client: HTTPKubernetesClient) async throws {
        _ = try await client.create(SecretStore.resourceType, namespace: namespace, body: store(vault))
        let externalSecret: JSONValue = [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret", "metadata": ["name": "vault-db", "namespace": .string(namespace)],
            "spec": [
                "secretStoreRef": ["name": "vault", "kind": "SecretStore"], "refreshInterval": "30s",
                "target": ["name": "vault-db-credentials"],
                "data": [
                    ["secretKey": "user", "remoteRef": ["key": "shop/db", "property": "user"]],
                    ["secretKey": "password", "remoteRef": ["key": "shop/db", "property": "password"]],
                ],
            ],
        ]
        _ = try await client.create(ExternalSecret.resourceType, namespace: namespace, body: externalSecret)
    }
}
