import ScanBridgeCore

/// The form a browser without a session gets: it posts a consumer's token to `POST /login`.
enum ConsoleLoginPage {
    static func render(message: String? = nil) -> String {
        let error: HTML = message.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        let body: HTML = """
            <h1>scanbridge fleet</h1>
            <p>Sign in with a feed consumer's token (<code>scanbridge receive consumer add</code> prints one).</p>
            \(error)
            <form class="login" method="post" action="/login">
            <label for="token">Consumer token</label>
            <input id="token" name="token" type="password" autocomplete="off" required autofocus>
            <button type="submit">Sign in</button>
            </form>
            """
        return ConsoleLayout.page(title: "scanbridge fleet — sign in", refresh: false, signedInAs: nil, body: body)
    }
}
