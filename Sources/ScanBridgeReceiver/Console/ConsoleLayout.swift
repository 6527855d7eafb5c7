import ScanBridgeCore

/// The frame every console page shares: one inline stylesheet, no script, no external asset,
/// and (for the fleet and agent pages) a meta refresh so a wall screen stays current.
enum ConsoleLayout {
    static let refreshSeconds = 30

    static func page(title: String, refresh: Bool, signedInAs viewer: ConsoleViewer?, body: HTML) -> String {
        let refreshTag: HTML = refresh ? "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">" : ""
        let header: HTML
        switch viewer {
        case .some(.session(let consumer)):
            header = """
                <p class="who">Signed in as \(consumer). <form method="post" action="/logout">\
                <button type="submit">Log out</button></form></p>
                """
        case .some(.bearer(let consumer)): header = "<p class=\"who\">Read with the token of \(consumer).</p>"
        case nil: header = ""
        }
        let document: HTML = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refreshTag)
            <title>\(title)</title>
            <style>\(HTML(stringLiteral: stylesheet))</style>
            </head>
            <body>
            \(header)
            \(body)
            </body>
            </html>

            """
        return document.markup
    }

    static func notFound(agentID: String, viewer: ConsoleViewer) -> String {
        page(
            title: "scanbridge — unknown agent", refresh: false, signedInAs: viewer,
            body: """
                <p><a href="/">← fleet</a></p>
                <h1>No agent \(agentID)</h1>
                <p>This store has neither enrolled it nor received a batch from it.</p>
                """)
    }

    static let stylesheet = """
        body{font:15px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fafafa}
        h1{font-size:1.4rem;margin:.2rem 0 .8rem}h2{font-size:1.1rem;margin:1.4rem 0 .4rem}
        table{border-collapse:collapse;width:100%;background:#fff}
        th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
        th{background:#eee;font-weight:600}
        tr.behind td:first-child{border-left:4px solid #c0392b}
        tr.alerting td:first-child{border-left:4px solid #d68910}
        tr.healthy td:first-child{border-left:4px solid #229954}
        .bad{color:#c0392b;font-weight:600}.warn{color:#9a6700;font-weight:600}.ok{color:#1e7b45}
        .who{float:right;margin:0;color:#555}.who form{display:inline}
        .muted{color:#666}code{font-size:.9em}
        dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}
        form.login{max-width:28rem;background:#fff;padding:1rem;border:1px solid #ddd}
        form.login input{width:100%;box-sizing:border-box;padding:.4rem;margin:.3rem 0 .8rem}
        .error{color:#c0392b;font-weight:600}nav.pager{margin:.8rem 0}
        """
}

/// Who is looking at a console page.
enum ConsoleViewer: Sendable, Equatable {
    /// A browser signed in through the form; the page offers to log out.
    case session(consumer: String)
    /// A script with `Authorization: Bearer`.
    case bearer(consumer: String)
}

/// How times and durations read on the pages.
enum ConsoleText {
    /// `2026-11-24T14:17:03.123456Z` as `2026-11-24 14:17:03 UTC`.
    static func time(_ iso8601: String?) -> String {
        guard let iso8601, iso8601.count >= 19 else { return iso8601 ?? "—" }
        let start = iso8601.startIndex
        let date = iso8601[start..<iso8601.index(start, offsetBy: 10)]
        let clock = iso8601[iso8601.index(start, offsetBy: 11)..<iso8601.index(start, offsetBy: 19)]
        return "\(date) \(clock) UTC"
    }

    /// Whole seconds as the two largest units: `42 s`, `5 min`, `3 h 12 min`, `2 d 4 h`.
    static func duration(_ seconds: Int64?) -> String {
        guard let seconds else { return "—" }
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min"
        case ..<86400: return minutesRemain(hours: seconds / 3600, minutes: seconds % 3600 / 60)
        default:
            let hours = seconds % 86400 / 3600
            return hours == 0 ? "\(seconds / 86400) d" : "\(seconds / 86400) d \(hours) h"
        }
    }

    private static func minutesRemain(hours: Int64, minutes: Int64) -> String {
        minutes == 0 ? "\(hours) h" : "\(hours) h \(minutes) min"
    }

    /// `1 item`, `2 items`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
