import RotorCLI
import Testing

@Suite("Tables laid out as kubectl get lays them out")
struct TextTableTests {
    @Test("columns are as wide as their widest cell plus three spaces, at least six; the last is not padded")
    func layout() {
        let table = TextTable(headers: ["NAME", "READY", "AGE"], rows: [["db", "True", "5s"], ["a-longer-name", "False", "3m"]])
        #expect(table.render() == """
            NAME            READY   AGE
            db              True    5s
            a-longer-name   False   3m

            """)
    }

    @Test("a narrow column still takes kubectl's minimum width of six")
    func minimumWidth() {
        #expect(TextTable(headers: ["A", "B"], rows: [["x", "y"]]).render() == "A     B\nx     y\n")
    }
}
