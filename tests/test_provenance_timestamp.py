"""RFC 3161 time-stamps over the ledger head, against a real TSA run locally with `openssl ts -reply`."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from provenance_support import cli, cli_json

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.crt
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_alg = sha256
[ tsa_ext ]
extendedKeyUsage = critical,timeStamping
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
"""


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert 0 == done.returncode, done.stderr


def _make_ca(folder: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
             "-keyout", f"{name}.key", "-out", f"{name}.crt", "-subj", f"/CN={name}", cwd=folder)


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throw-away CA and a TSA certificate it signed (extendedKeyUsage=critical,timeStamping)."""
    folder = tmp_path_factory.mktemp("tsa")
    (folder / "tsa.cnf").write_text(TSA_CONFIG.format(dir=folder))
    (folder / "serial").write_text("01\n")
    _make_ca(folder, "ca")
    _make_ca(folder, "other-ca")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key",
             "-out", "tsa.csr", "-subj", "/CN=Test TSA", cwd=folder)
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-out", "tsa.crt", "-extfile", "tsa.cnf", "-extensions", "tsa_ext", cwd=folder)
    return folder


def answer(tsa: Path, query: Path, out: Path) -> Path:
    """The TSA's reply to a query file."""
    _openssl("ts", "-reply", "-queryfile", str(query), "-config", str(tsa / "tsa.cnf"), "-out", str(out), cwd=tsa)
    return out


def _head(store: Path) -> str:
    return cli(store, "log").stdout.splitlines()[-1].split()[1]


def _stamp(store: Path, tsa: Path, tmp: Path, *add_args: str) -> tuple[Path, Path]:
    query = tmp / "head.tsq"
    made = cli(store, "timestamp", "request", "-o", str(query))
    assert 0 == made.exit_code, made.output
    reply = answer(tsa, query, tmp / "head.tsr")
    added = cli(store, "timestamp", "add", str(reply), "--query", str(query), *add_args)
    assert 0 == added.exit_code, added.output
    return query, reply


def test_query_imprint_is_sha256_of_the_head_digest_text(seeded_store: Path, tmp_path: Path) -> None:
    """The query is DER that openssl reads: sha256 imprint of the head's 64 hex characters, certReq yes."""
    head = _head(seeded_store)
    query = tmp_path / "q.tsq"
    result = cli(seeded_store, "timestamp", "request", "-o", str(query))
    imprint = hashlib.sha256(head.encode("ascii")).hexdigest()
    assert f"time-stamp query for ledger head {head} (seq 5); imprint sha256 {imprint}\n" == result.stderr
    text = subprocess.run(["openssl", "ts", "-query", "-in", str(query), "-text"], capture_output=True,
                          text=True, check=True).stdout
    assert "Hash Algorithm: sha256" in text and "Certificate required: yes" in text
    hex_lines = [line.split(" - ")[1][:47] for line in text.splitlines() if " - " in line]
    assert imprint == "".join(hex_lines).replace(" ", "").replace("-", "")
    stdout = cli(seeded_store, "timestamp", "request")
    assert stdout.stdout_bytes.startswith(b"\x30")


def test_add_stores_the_reply_and_verify_checks_the_signature(seeded_store: Path, tsa: Path, tmp_path: Path) -> None:
    """A reply from the TSA is stored as an object with a "timestamp" entry; verify with --tsa-ca passes."""
    head = _head(seeded_store)
    _, reply = _stamp(seeded_store, tsa, tmp_path)
    entry = json.loads(cli(seeded_store, "log", "--json").stdout.splitlines()[-1])
    assert "timestamp" == entry["event"]
    assert (5, head) == (entry["data"]["head_seq"], entry["data"]["head_digest"])
    digest = hashlib.sha256(reply.read_bytes()).hexdigest()
    assert [digest] == entry["data"]["objects"]
    assert reply.read_bytes() == (seeded_store / "archive/objects/sha256" / digest[:2] / digest[2:]).read_bytes()
    unsigned = cli_json(seeded_store, "verify")
    assert unsigned["ok"] and any("signature was not verified" in n for n in unsigned["notices"])
    signed = cli(seeded_store, "verify", "--tsa-ca", str(tsa / "ca.crt"), "--json")
    assert 0 == signed.exit_code, signed.output
    assert [] == [n for n in json.loads(signed.stdout)["notices"] if "time-stamp" in n]
    wrong = cli_json(seeded_store, "verify", "--tsa-ca", str(tsa / "other-ca.crt"))
    assert ["timestamp-signature"] == [p["kind"] for p in wrong["problems"]]


def test_a_stored_ca_is_used_by_verify(seeded_store: Path, tsa: Path, tmp_path: Path) -> None:
    """add --ca checks the signature now and keeps the certificate, so plain verify checks it later."""
    _stamp(seeded_store, tsa, tmp_path, "--ca", str(tsa / "ca.crt"))
    report = cli_json(seeded_store, "verify")
    assert (True, []) == (report["ok"], [n for n in report["notices"] if "time-stamp" in n])
    refused = cli(seeded_store, "timestamp", "add", str(tmp_path / "head.tsr"), "--ca", str(tsa / "other-ca.crt"))
    assert 1 == refused.exit_code
    assert refused.stderr.startswith("docket: error: the reply's signature does not verify against the CA")


def test_reply_for_another_ledger_is_refused(seeded_store: Path, tsa: Path, tmp_path: Path) -> None:
    """A reply whose imprint is no head of this ledger is refused with one line, and nothing is logged."""
    other = tmp_path / "other.tsq"
    subprocess.run(["openssl", "ts", "-query", "-digest", "ab" * 32, "-sha256", "-cert", "-out", str(other)],
                   capture_output=True, check=True)
    reply = answer(tsa, other, tmp_path / "other.tsr")
    before = (seeded_store / "archive" / "ledger.jsonl").read_bytes()
    result = cli(seeded_store, "timestamp", "add", str(reply))
    assert 1 == result.exit_code
    assert f"docket: error: the reply time-stamps {'ab' * 32}, which is not the imprint of any head" in result.stderr
    assert before == (seeded_store / "archive" / "ledger.jsonl").read_bytes()
    ours = tmp_path / "ours.tsq"
    cli(seeded_store, "timestamp", "request", "-o", str(ours))
    mismatch = cli(seeded_store, "timestamp", "add", str(reply), "--query", str(ours))
    assert 1 == mismatch.exit_code and "but the query asked for" in mismatch.stderr
    not_a_reply = cli(seeded_store, "timestamp", "add", str(ours))
    assert 1 == not_a_reply.exit_code and "not an RFC 3161 time-stamp reply" in not_a_reply.stderr


def test_a_later_reply_for_an_earlier_head_is_accepted(seeded_store: Path, tsa: Path, tmp_path: Path) -> None:
    """The ledger may grow between request and reply: the reply names the head it stamped."""
    query = tmp_path / "q.tsq"
    cli(seeded_store, "timestamp", "request", "-o", str(query))
    cli(seeded_store, "reindex")
    result = cli(seeded_store, "timestamp", "add", str(answer(tsa, query, tmp_path / "r.tsr")))
    assert 0 == result.exit_code and "over ledger head seq 5" in result.stdout
    assert 0 == cli(seeded_store, "verify", "--tsa-ca", str(tsa / "ca.crt")).exit_code


def test_rewriting_stamped_history_is_found(seeded_store: Path, tsa: Path, tmp_path: Path) -> None:
    """Rewrite the whole ledger consistently (chain and head re-computed): the time-stamp no longer
    matches the head it names, and verify says so."""
    _stamp(seeded_store, tsa, tmp_path, "--ca", str(tsa / "ca.crt"))
    ledger = seeded_store / "archive" / "ledger.jsonl"
    entries = [json.loads(line) for line in ledger.read_bytes().splitlines()]
    entries[0]["at"] = "2001-01-01T00:00:00Z"
    prev, lines = "0" * 64, []
    for entry in entries:
        entry["prev"] = prev
        line = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        lines.append(line)
        prev = hashlib.sha256(line).hexdigest()
    ledger.write_bytes(b"".join(line + b"\n" for line in lines))
    (seeded_store / "archive" / "ledger.jsonl.head").write_text(f"{len(lines)} {prev}\n")
    report = cli_json(seeded_store, "verify", "--fast")
    assert ["timestamp-imprint"] == [p["kind"] for p in report["problems"]]
    assert "ledger.jsonl seq 6" == report["problems"][0]["object"]
