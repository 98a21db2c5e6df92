import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import Testing

/// The API emulator against what a real kube-apiserver answered: `hack/conformance replay`
/// sends the conformance suite's requests (`conformance/suite.py`) to `rotor dev
/// --api-only` and compares what clients read — status codes, reasons, messages, causes and
/// the fields each exchange names — with the recordings made on kube-apiserver v1.33
/// (`conformance/recordings/`). Any difference not listed, with its reason, in
/// `conformance/allowlist.txt` fails this test; the output names each one.
@Suite("conformance replay against recorded kube-apiserver answers")
struct ConformanceReplayTests {
    @Test("every recorded exchange is answered as kube-apiserver v1.33 answered it, or is on the allowlist with a reason")
    func replayMatchesTheRecordings() async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path

        let (emulator, output) = try RotorDevCommandTests.launch(executable, ["dev", "--api-only", "--port", "0", "--kubeconfig", kubeconfig])
        defer {
            if emulator.isRunning { emulator.interrupt() }
            emulator.waitUntilExit()
        }
        let started = BackgroundKubectl(process: emulator, output: output)
        #expect(await started.waitForOutput { $0.contains("kubeconfig written to") }, "output: \(output.text)")

        let replay = try Subprocess.spawn(
            "python3", [InstallManifestsTests.root.appendingPathComponent("hack/conformance").path, "replay", "--kubeconfig", kubeconfig],
            directory: InstallManifestsTests.root.path)
        let result = await replay.collect()
        let report = String(decoding: result.stdout, as: UTF8.self) + String(decoding: result.stderr, as: UTF8.self)
        let differences = report.split(separator: "\n").filter { !$0.hasPrefix("allowed:") && $0.contains(": recorded ") }
        #expect(result.termination.status == 0, "differences from kube-apiserver v1.33 not on the allowlist:\n\(differences.prefix(60).joined(separator: "\n"))\n\(report.suffix(400))")
        #expect(report.contains("replayed 48 scenarios"), "the whole suite ran: \(report.suffix(400))")
    }
}
