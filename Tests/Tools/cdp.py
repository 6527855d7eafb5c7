#!/usr/bin/env python3
"""Drives headless Chromium through the DevTools protocol over --remote-debugging-pipe.

Standard library only: the browser tests need to type into a form, follow a redirect and
read a page's JavaScript state, which --dump-dom cannot. Steps come as a JSON array on
stdin; the values of "eval" and "wait_for" steps are printed as one JSON array.

Steps:
  {"navigate": URL}                 load URL and wait for its load event
  {"eval": EXPR}                    evaluate EXPR (promises awaited), record its value
  {"eval_navigate": EXPR}           evaluate EXPR that navigates (a form submit) and wait for the load
  {"wait_for": EXPR, "timeout": S}  poll EXPR until truthy, record its value (an error after S seconds)
  {"sleep": S}

Usage: cdp.py CHROMIUM [extra chromium flags...] < steps.json
"""

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, executable, flags):
        self.profile = tempfile.mkdtemp(prefix="scanbridge-cdp-")
        to_chrome_read, to_chrome_write = os.pipe()
        from_chrome_read, from_chrome_write = os.pipe()

        def map_fds():
            # Chromium reads commands on fd 3 and answers on fd 4; copies first, in case
            # either pipe already sits on 3 or 4.
            commands, answers = os.dup(to_chrome_read), os.dup(from_chrome_write)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--remote-debugging-pipe", "--user-data-dir=" + self.profile, *flags,
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=map_fds, pass_fds=(3, 4, to_chrome_read, from_chrome_write))
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self.writer = to_chrome_write
        self.reader = from_chrome_read
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.send("Browser.close", session=False, wait=False)
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.writer)
        os.close(self.reader)
        shutil.rmtree(self.profile, ignore_errors=True)

    def read_message(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self.reader], [], [], remaining)
            if ready:
                chunk = os.read(self.reader, 65536)
                if not chunk:
                    raise EOFError("chromium closed its pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=True, wait=True, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        if not wait:
            return None
        deadline = time.monotonic() + timeout
        while True:
            answer = self.read_message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for_event(self, method, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    del self.events[index]
                    return event
            self.events.append(self.read_message(deadline))

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')} "
                               f"{result['exceptionDetails'].get('exception', {}).get('description', '')}")
        return result.get("result", {}).get("value")

    def navigate(self, url):
        self.events.clear()
        answer = self.send("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise RuntimeError(f"{url}: {answer['errorText']}")
        self.wait_for_event("Page.loadEventFired")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    steps = json.load(sys.stdin)
    browser = Browser(sys.argv[1], sys.argv[2:])
    values = []
    try:
        browser.open_page()
        for step in steps:
            if "navigate" in step:
                browser.navigate(step["navigate"])
            elif "eval_navigate" in step:
                browser.events.clear()
                browser.evaluate(step["eval_navigate"])
                browser.wait_for_event("Page.loadEventFired")
            elif "eval" in step:
                values.append(browser.evaluate(step["eval"]))
            elif "wait_for" in step:
                deadline = time.monotonic() + step.get("timeout", 10)
                while True:
                    value = browser.evaluate(step["wait_for"])
                    if value:
                        values.append(value)
                        break
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"never true: {step['wait_for']}")
                    time.sleep(0.1)
            elif "sleep" in step:
                time.sleep(step["sleep"])
            else:
                raise ValueError(f"unknown step {step}")
    except Exception as error:  # the caller reads one line saying what went wrong
        print(json.dumps({"error": str(error), "values": values}))
        return 1
    finally:
        browser.close()
    print(json.dumps(values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
