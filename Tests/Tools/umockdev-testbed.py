#!/usr/bin/python3
"""A umockdev testbed driven line by line on stdin, for hotplug tests of `scanbridge run`.

Debian bookworm's umockdev 0.17.16 has hotplug only through the testbed API, so a test starts
this script, reads `UMOCKDEV_DIR=<dir>` from its first line, starts the agent with that
directory and LD_PRELOAD=libumockdev-preload.so.0, and then sends commands; each is answered
with one line, `ok [...]` or `error <why>`:

    add FILE                    add the devices of a .umockdev description (sends "add" uevents)
    evemu NODE FILE             replay evemu events on an input node (/dev/input/eventN)
    script NODE FILE            play a umockdev script on a node (/dev/hidrawN, /dev/ttyACM0)
    feed NODE HEX               bytes the program reads from a node (/dev/hidraw0), at once
    written NODE                what the program wrote to the node since the last ask: `ok HEX`
    remove SYSPATH...           "remove" uevents child first, then remove the devices
    uevent SYSPATH ACTION       a uevent (add, change, remove)
    quit
"""
import os
import select
import sys

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402


def main():
    testbed = UMockdev.Testbed.new()
    print("UMOCKDEV_DIR=" + testbed.get_root_dir(), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, arguments = words[0], words[1:]
        try:
            if command == "quit":
                print("ok", flush=True)
                return
            if command == "written":
                fd = testbed.get_dev_fd(arguments[0])
                data = b""
                while select.select([fd], [], [], 0)[0]:
                    chunk = os.read(fd, 4096)
                    if not chunk:
                        break
                    data += chunk
                print("ok " + data.hex(), flush=True)
                continue
            if command == "add":
                testbed.add_from_file(arguments[0])
            elif command == "evemu":
                testbed.load_evemu_events(arguments[0], arguments[1])
            elif command == "script":
                testbed.load_script(arguments[0], arguments[1])
            elif command == "feed":
                os.write(testbed.get_dev_fd(arguments[0]), bytes.fromhex(arguments[1]))
            elif command == "remove":
                # 0.17.16's remove_device sends no uevent: send it first, child before parent.
                for syspath in arguments:
                    testbed.uevent(syspath, "remove")
                for syspath in arguments:
                    testbed.remove_device(syspath)
            elif command == "uevent":
                testbed.uevent(arguments[0], arguments[1])
            else:
                raise ValueError("unknown command " + command)
            print("ok", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure goes back to the test
            print("error %s" % error, flush=True)


main()
