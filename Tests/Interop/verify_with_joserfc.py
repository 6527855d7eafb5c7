#!/usr/bin/env python3
"""Verify every batch a receiver stored with an independent JOSE implementation (joserfc).

Usage: verify_with_joserfc.py RECEIVER_SQLITE PUBLIC_OR_PRIVATE_JWK

Checks, per agent, in batch_seq order: the detached JWS (RFC 7515 Appendix F) over the exact
stored body with EdDSA, the kid as the key's RFC 7638 thumbprint, batch_seq 1..N, the
prev_sha256 links and gapless event seq. Prints how many batches verified and exits 1
on any failure.
"""
import base64, hashlib, json, sqlite3, sys

from joserfc import jws
from joserfc.jwk import OKPKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    with open(sys.argv[2]) as handle:
        jwk = json.load(handle)
    public = {k: jwk[k] for k in ("kty", "crv", "x")}
    key = OKPKey.import_key(public)
    thumbprint = key.thumbprint()
    db = sqlite3.connect(sys.argv[1])
    passed = failed = 0
    for (agent,) in db.execute("SELECT DISTINCT agent_id FROM receiver_batches ORDER BY agent_id"):
        previous_hash, next_seq, expected_batch = None, 1, 1
        rows = db.execute(
            "SELECT batch_seq, body, jws FROM receiver_batches WHERE agent_id = ? ORDER BY batch_seq", (agent,))
        for batch_seq, body, signature in rows:
            problems = []
            header_b64, empty, sig_b64 = signature.split(".")
            if empty:
                problems.append("payload part is not detached")
            compact = f"{header_b64}.{b64url(body)}.{sig_b64}"
            try:
                token = jws.deserialize_compact(compact, key, algorithms=["EdDSA"])
                if token.protected.get("kid") != thumbprint:
                    problems.append(f"kid {token.protected.get('kid')} is not the thumbprint {thumbprint}")
            except Exception as error:  # noqa: BLE001 - report any verification failure
                problems.append(f"signature: {error!r}")
            document = json.loads(body)
            if document["batch_seq"] != expected_batch:
                problems.append(f"batch_seq {document['batch_seq']} where {expected_batch} was expected")
            if document["prev_sha256"] != previous_hash:
                problems.append("prev_sha256 does not link to the previous batch")
            for event in document["events"]:
                if event["seq"] != next_seq:
                    problems.append(f"event seq {event['seq']} where {next_seq} was expected")
                next_seq = event["seq"] + 1
            previous_hash = hashlib.sha256(body).hexdigest()
            expected_batch += 1
            if problems:
                failed += 1
                print(f"FAIL {agent} batch {batch_seq}: {'; '.join(problems)}")
            else:
                passed += 1
    print(f"joserfc verified {passed} batches, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
