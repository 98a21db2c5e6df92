import Foundation
import Testing

@testable import KubeClient

@Suite("kubeconfig")
struct KubeConfigTests {
    static let base64CA = Data(TestCertificates.caCertificate.utf8).base64EncodedString()

    static let primary = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://dev.example:6443
            certificate-authority-data: \(base64CA)
            tls-server-name: kube.test
        - name: shared
          cluster:
            server: https://primary-shared.example
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: shop
        users:
        - name: dev-user
          user:
            token: primary-token
        """

    static let secondary = """
        apiVersion: v1
        kind: Config
        current-context: prod
        clusters:
        - name: shared
          cluster:
            server: https://secondary-shared.example
            insecure-skip-tls-verify: true
        - name: prod-cluster
          cluster:
            server: prod.example:443
            certificate-authority: certs/ca.pem
        contexts:
        - name: prod
          context:
            cluster: prod-cluster
            user: prod-user
        - name: dev
          context:
            cluster: shared
            user: prod-user
        users:
        - name: prod-user
          user:
            tokenFile: secrets/token
        """

    @Test("a single kubeconfig yields the current context's server, CA, token and namespace")
    func currentContext() throws {
        let configuration = try KubeConfig.parse(yaml: Self.primary).clientConfiguration()
        #expect(configuration.server == "https://dev.example:6443")
        #expect(configuration.namespace == "shop")
        #expect(configuration.authentication == .bearerToken(Redacted("primary-token")))
        #expect(configuration.tls.certificateAuthorityPEM == Array(TestCertificates.caCertificate.utf8))
        #expect(configuration.tls.serverName == "kube.test")
        #expect(configuration.tls.insecureSkipVerify == false)
        _ = try configuration.tls.makeTLSConfiguration()
    }

    @Test("with several KUBECONFIG files the first file wins each name and the current-context")
    func mergeOfSeveralFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try directory.write("a/config", Self.primary)
        let second = try directory.write("b/config", Self.secondary)
        try directory.write("b/certs/ca.pem", TestCertificates.caCertificate)
        try directory.write("b/secrets/token", "file-token\n")

        let config = try KubeConfig.loadDefault(environment: ["KUBECONFIG": "\(first):\(directory.path)/missing:\(second)"])

        #expect(config.currentContext == "dev")
        // "dev" and "shared" are defined in both files: the first file's entries win whole.
        #expect(config.contexts["dev"]?.cluster == "dev-cluster")
        #expect(config.clusters["shared"]?.server == "https://primary-shared.example")
        #expect(config.clusters["shared"]?.insecureSkipTLSVerify == false)
        // Names only the second file defines are still there.
        #expect(config.contexts["prod"]?.cluster == "prod-cluster")
        #expect(config.users["prod-user"]?.tokenFile == "\(directory.path)/b/secrets/token")
    }

    @Test("a context override selects another context, whose relative CA path is read from beside its file")
    func contextOverrideAndRelativeCAPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try directory.write("a/config", Self.primary)
        let second = try directory.write("b/config", Self.secondary)
        try directory.write("b/certs/ca.pem", TestCertificates.caCertificate)
        try directory.write("b/secrets/token", "file-token\n")

        let configuration = try ClientConfiguration.fromKubeconfig(
            context: "prod", environment: ["KUBECONFIG": "\(first):\(second)"])

        #expect(configuration.server == "https://prod.example:443")
        #expect(configuration.namespace == "default")
        #expect(configuration.tls.certificateAuthorityPEM == Array(TestCertificates.caCertificate.utf8))
        #expect(configuration.authentication == .bearerTokenFile(path: "\(directory.path)/b/secrets/token"))
    }

    @Test("an explicit path must exist, and an unknown context is named in the error")
    func explicitPathAndUnknownContext() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: KubeConfigError.self) { try KubeConfig.load(path: "\(directory.path)/nope") }
        let path = try directory.write("config", Self.primary)
        do {
            _ = try ClientConfiguration.fromKubeconfig(path: path, context: "staging")
            Issue.record("expected an error")
        } catch let error as KubeConfigError {
            #expect(error.kind == .missingEntry)
            #expect(error.description.contains("staging"))
        }
    }

    @Test("a user with a client certificate and RSA key, inline or as files, gets TLS client auth")
    func clientCertificates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("pki/ec.crt", TestCertificates.ecClientCertificate)
        try directory.write("pki/ec.key", TestCertificates.ecClientKey)
        let certData = Data(TestCertificates.rsaClientCertificate.utf8).base64EncodedString()
        let keyData = Data(TestCertificates.rsaClientKey.utf8).base64EncodedString()
        let path = try directory.write(
            "config",
            """
            current-context: inline
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
            contexts:
            - {name: inline, context: {cluster: c, user: rsa}}
            - {name: files, context: {cluster: c, user: ec}}
            users:
            - name: rsa
              user: {client-certificate-data: \(certData), client-key-data: \(keyData)}
            - name: ec
              user: {client-certificate: pki/ec.crt, client-key: pki/ec.key}
            """)
        let config = try KubeConfig.load(path: path)

        let inline = try config.clientConfiguration()
        #expect(inline.authentication == .none)
        #expect(inline.tls.insecureSkipVerify)
        #expect(inline.tls.clientKeyPEM?.value == Array(TestCertificates.rsaClientKey.utf8))
        let inlineTLS = try inline.tls.makeTLSConfiguration()
        #expect(inlineTLS.certificateChain.count == 1)
        #expect(inlineTLS.privateKey != nil)

        let files = try config.clientConfiguration(context: "files")
        #expect(files.tls.clientCertificatePEM == Array(TestCertificates.ecClientCertificate.utf8))
        let filesTLS = try files.tls.makeTLSConfiguration()
        #expect(filesTLS.privateKey != nil)
    }

    @Test("a certificate authority together with insecure-skip-tls-verify is refused, as kubectl does")
    func caWithInsecureIsRefused() throws {
        let yaml = """
            current-context: x
            clusters:
            - {name: c, cluster: {server: "https://h", insecure-skip-tls-verify: true, certificate-authority-data: \(Self.base64CA)}}
            contexts:
            - {name: x, context: {cluster: c}}
            """
        #expect(throws: KubeConfigError.self) { try KubeConfig.parse(yaml: yaml).clientConfiguration() }
    }

    @Test("an exec-plugin user is refused with a message that names the mechanism")
    func execPluginIsUnsupported() throws {
        let yaml = """
            current-context: eks
            clusters:
            - {name: c, cluster: {server: "https://h"}}
            contexts:
            - {name: eks, context: {cluster: c, user: u}}
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws
                  args: [eks, get-token]
            """
        do {
            _ = try KubeConfig.parse(yaml: yaml).clientConfiguration()
            Issue.record("expected an error")
        } catch let error as KubeConfigError {
            #expect(error.kind == .unsupportedAuthentication)
            #expect(error.description.contains("exec"))
        }
    }

    @Test("printing a configuration or kubeconfig user shows no token or key")
    func printingHidesCredentials() throws {
        let configuration = try KubeConfig.parse(yaml: Self.primary).clientConfiguration()
        var withKey = configuration
        withKey.tls.clientKeyPEM = Redacted(Array("-----BEGIN EC PRIVATE KEY-----".utf8))
        let printed = "\(withKey) \(String(reflecting: withKey)) \(try KubeConfig.parse(yaml: Self.primary))"
        #expect(!printed.contains("primary-token"))
        #expect(printed.contains("<redacted>"))
        var dumped = ""
        dump(withKey, to: &dumped)
        #expect(!dumped.contains("primary-token"))
    }

    @Test("malformed YAML is reported without echoing the file's content")
    func malformedYAML() {
        do {
            _ = try KubeConfig.parse(yaml: "users: [ {name: u, user: {token: s3cr3t-value\n")
            Issue.record("expected an error")
        } catch let error as KubeConfigError {
            #expect(error.kind == .invalidFile)
            #expect(!error.description.contains("s3cr3t"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
