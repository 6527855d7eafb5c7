import Foundation
import ScanBridgeReceiver
import Testing

@testable import ScanBridgeTestSupport

/// The fleet console as a person uses it, in headless Chromium driven by `Tests/Tools/cdp.py`:
/// no token, no page; sign in by typing the token into the form; the lagging agent on top;
/// an agent's drift alert one click away.
@Suite("Receiver console in a browser", .childProcesses)
struct ConsoleBrowserTests {
    @Test(
        "headless Chromium: sign in with the form, the lagging agent on top, an agent's drift alert",
        .enabled(if: Chromium.executable != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
    func signInAndBrowse() async throws {
        let store: any ReceiverStorage = try ReceiverStore(
            path: TestSupport.temporaryDirectory("console") + "/receiver.sqlite")
        let token: String
        do {
            try await ConsoleFleetFixture.populate(store)
            token = try await ConsumerTestSupport.token(for: store, name: "finance")
        } catch {
            await store.close()
            throw error
        }
        try await TestReceiver.serving(store) { receiver, _ in
            let url = receiver.url
            let steps: [[String: String]] = [
                ["navigate": url + "/agents/agent-drifting"],
                ["eval": "document.querySelector('form[action=\"/login\"]') !== null"],
                ["eval": "document.body.innerText.includes('drift') || document.body.innerText.includes('scale-1')"],
                // A token is base64url: nothing in it needs escaping in a JavaScript string.
                ["eval": "document.getElementById('token').value = '\(token)'; true"],
                ["eval_navigate": "document.querySelector('form.login').submit()"],
                ["eval": "location.pathname"],
                ["eval": "Array.from(document.querySelectorAll('#agents tbody tr')).map(r => r.cells[0].innerText)"],
                ["eval_navigate": "document.querySelector('a[href=\"/agents/agent-drifting\"]').click()"],
                ["eval": "document.querySelector('h1').innerText"],
                ["eval": "document.body.innerText"],
            ]
            let values = try await Chromium.run(steps)
            try #require(values.count == 7, "cdp.py answered \(values)")
            #expect(values[0] as? Bool == true, "no token: the sign-in form")
            #expect(values[1] as? Bool == false, "no token: nothing of the agent")
            #expect(values[3] as? String == "/", "the sign-in redirects to the fleet")
            #expect(values[4] as? [String] == ["agent-lagging", "agent-drifting", "agent-current"])
            #expect(values[5] as? String == "Agent agent-drifting")
            let text = try #require(values[6] as? String)
            for expected in [
                "Open drift alerts (2)", "schema.drift_detected", "firmware changed from 2.0 to 2.1", "scale-1",
            ] {
                #expect(text.contains(expected), "\(expected) in \(text)")
            }
        }
    }
}
