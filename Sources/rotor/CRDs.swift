import ArgumentParser
import Foundation
import RotorAPI
import RotorOperator

/// `rotor crds`: the CustomResourceDefinitions generated from the Swift API types, as YAML.
///
/// The YAML comes from `RotorAPI`'s deterministic emitter, the same one the test comparing
/// `manifests/crds/` with the types uses, so regenerating the committed files is
/// `rotor crds --output-dir manifests/crds`.
struct CRDs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print Rotor's CustomResourceDefinitions as YAML.",
        discussion: """
            Without --output-dir, all CRDs go to standard output as one multi-document YAML stream.
            """)

    @Option(help: "Write one file per CRD (PLURAL.GROUP.yaml) into this directory instead of printing.")
    var outputDir: String?

    func run() throws {
        guard let outputDir else {
            FileHandle.standardOutput.write(Data(RotorCRDs.shippedYAML.utf8))
            return
        }
        let directory = URL(fileURLWithPath: outputDir, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for definition in RotorCRDs.shipped {
            let file = directory.appendingPathComponent(definition.fileName)
            try Data(definition.yaml.utf8).write(to: file, options: .atomic)
            print(file.path)
        }
    }
}
