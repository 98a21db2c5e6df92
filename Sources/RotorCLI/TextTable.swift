/// A table laid out as `kubectl get` lays one out: upper-case headers, each column as wide
/// as its widest cell plus three spaces (at least six), the last column not padded.
///
/// kubectl prints through Go's `tabwriter` with a minimum cell width of 6 and a padding of 3;
/// this is the same layout, so that scripts that split `kubectl get` output on runs of
/// spaces split ours the same way. Cells must not contain newlines.
public struct TextTable: Sendable, Hashable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The table as text, one line per row after the header line, each ending in a newline.
    public func render() -> String {
        let lines = [headers] + rows
        let columnCount = headers.count
        var widths = [Int](repeating: 0, count: columnCount)
        for line in lines {
            for (column, cell) in line.prefix(columnCount).enumerated() {
                widths[column] = max(widths[column], cell.count)
            }
        }
        var text = ""
        for line in lines {
            var rendered = ""
            for column in 0..<columnCount {
                let cell = column < line.count ? line[column] : ""
                if column == columnCount - 1 {
                    rendered += cell
                } else {
                    let width = max(Self.minimumCellWidth, widths[column] + Self.padding)
                    rendered += cell + String(repeating: " ", count: width - cell.count)
                }
            }
            text += rendered + "\n"
        }
        return text
    }

    /// kubectl's `tabwriter` settings.
    static let minimumCellWidth = 6
    static let padding = 3
}
