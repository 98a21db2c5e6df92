import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) evaluated in
/// UTC, so there is no daylight-saving gap or repeat.
///
/// Fields accept `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n`, `a-b/n`, `a/n`, and
/// names for months (`jan`…`dec`) and weekdays (`sun`…`sat`); weekday `7` is Sunday too. As
/// in Vixie cron, when both day-of-month and day-of-week are restricted a day matching
/// either runs. `@yearly`, `@monthly`, `@weekly`, `@daily` and `@hourly` are accepted.
public struct CronSchedule: Sendable, Hashable {
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let domRestricted: Bool
    let dowRestricted: Bool

    /// Why an expression was refused (names the field, never guesses).
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(ParseError) {
        let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
        let expanded = macros[text.trimmingCharacters(in: .whitespaces).lowercased()] ?? text
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "\"\(text)\" has \(fields.count) fields; a cron expression has 5 (minute hour day-of-month month day-of-week)")
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59)
        hours = try Self.field(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], firstName: 1)
        let dow = try Self.field(fields[4], name: "day-of-week", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], firstName: 0)
        daysOfWeek = Set(dow.map { $0 == 7 ? 0 : $0 })
        domRestricted = !fields[2].hasPrefix("*")
        dowRestricted = !fields[4].hasPrefix("*")
    }

    /// The first time strictly after `date` (whole minutes, UTC) that matches, or `nil`
    /// when none does within 8 years (e.g. `0 0 30 2 *`).
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // The next whole minute after `date`.
        let startMinute = (date.timeIntervalSince1970 / 60).rounded(.down) + 1
        let start = Date(timeIntervalSince1970: startMinute * 60)
        var day = calendar.startOfDay(for: start)
        for _ in 0..<(366 * 8) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let month = parts.month, let dom = parts.day, let weekday = parts.weekday, months.contains(month),
                dayMatches(dom: dom, dow: weekday - 1)
            {
                for hour in hours.sorted() {
                    for minute in minutes.sorted() {
                        let candidate = day.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
                        if candidate >= start { return candidate }
                    }
                }
            }
            guard let nextDay = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = nextDay
        }
        return nil
    }

    private func dayMatches(dom: Int, dow: Int) -> Bool {
        switch (domRestricted, dowRestricted) {
        case (true, true): daysOfMonth.contains(dom) || daysOfWeek.contains(dow)
        case (true, false): daysOfMonth.contains(dom)
        case (false, true): daysOfWeek.contains(dow)
        case (false, false): true
        }
    }

    private static func field(
        _ text: String, name: String, range: ClosedRange<Int>, names: [String] = [], firstName: Int = 0
    ) throws(ParseError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.lowercased().split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw ParseError(description: "\(name) field \"\(text)\" is not valid") }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s > 0 else { throw ParseError(description: "\(name) field \"\(text)\" has a bad step") }
                // A step beyond the range selects the start only; capped so `stride` cannot overflow.
                step = min(s, range.count)
            }
            var low: Int
            var high: Int
            if pieces[0] == "*" {
                low = range.lowerBound
                high = range.upperBound
            } else {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2 else { throw ParseError(description: "\(name) field \"\(text)\" is not valid") }
                low = try value(bounds[0], name: name, field: text, names: names, firstName: firstName)
                high = bounds.count == 2 ? try value(bounds[1], name: name, field: text, names: names, firstName: firstName) : low
                // `a/n` means from a to the end, stepping n.
                if bounds.count == 1, pieces.count == 2 { high = range.upperBound }
            }
            guard range.contains(low), range.contains(high), low <= high else {
                throw ParseError(description: "\(name) field \"\(text)\" is outside \(range.lowerBound)-\(range.upperBound)")
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    private static func value(_ text: String, name: String, field: String, names: [String], firstName: Int) throws(ParseError) -> Int {
        if let number = Int(text) { return number }
        if let index = names.firstIndex(of: text) { return index + firstName }
        throw ParseError(description: "\(name) field \"\(field)\" is not valid")
    }
}
