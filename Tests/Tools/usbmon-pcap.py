#!/usr/bin/python3
"""Write a usbmon capture (pcap, LINKTYPE_USB_LINUX_MMAPPED) of a device answering IN
transfers, for `umockdev-run -p SYSFS=FILE` (umockdev replays the completions to libusb).

    Tests/Tools/usbmon-pcap.py OUT.pcap BUS DEVICE ENDPOINT TYPE LENGTH CHUNK...

TYPE is `bulk` or `interrupt`; LENGTH the transfer length the reader submits (its
wMaxPacketSize); each CHUNK (Python escapes allowed: `\\r\\n`, `\\x1d`) is the data of one
completed transfer: a submit record ('S', no data) followed by its completion ('C').
The 64-byte header is `struct usbmon_packet` of Documentation/usb/usbmon.rst.
"""
import struct
import sys

out, bus, device, endpoint, kind, length = sys.argv[1:7]
chunks = [c.encode().decode("unicode_escape").encode("latin-1") for c in sys.argv[7:]]
bus, device, endpoint, length = int(bus), int(device), int(endpoint, 0), int(length)
transfer_type = {"interrupt": 1, "bulk": 3}[kind]

records = []
seconds = 1_700_000_000
for index, data in enumerate(chunks):
    urb_id = 0xFFFF_8800_0000_1000 + index * 0x100
    for event, payload, urb_len in ((b"S", b"", length), (b"C", data, len(data))):
        header = struct.pack(
            "<QccBBHbbqiiII8siiII",
            urb_id, event, bytes([transfer_type]), endpoint, device, bus,
            0 if event == b"S" else 1,  # flag_setup: '-' (no setup packet)
            0 if event == b"C" else ord("<"),  # flag_data: 0 = data present; '<' = none (IN submit)
            seconds, index * 1000, -115 if event == b"S" else 0,  # -EINPROGRESS while submitted
            urb_len, len(payload), b"\0" * 8, 1, 0, 0, 0)
        assert len(header) == 64
        packet = header + payload
        records.append(struct.pack("<IIII", seconds, index * 1000, len(packet), len(packet)) + packet)

with open(out, "wb") as file:
    file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 220))
    file.write(b"".join(records))
