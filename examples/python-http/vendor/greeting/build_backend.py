"""A minimal PEP 517 backend: a pure-Python wheel of the `greeting` package, with no build tools."""
import base64
import hashlib
import os
import zipfile

NAME, VERSION = "greeting", "0.1.0"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
FILES = {
    f"{DIST_INFO}/METADATA": f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n",
    f"{DIST_INFO}/WHEEL": "Wheel-Version: 1.0\nGenerator: build_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}


def _record(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    here = os.path.dirname(os.path.abspath(__file__))
    entries = {}
    for root, _, names in os.walk(os.path.join(here, NAME)):
        for n in sorted(names):
            if n.endswith(".py"):
                path = os.path.join(root, n)
                with open(path, "rb") as f:
                    entries[os.path.relpath(path, here).replace(os.sep, "/")] = f.read()
    entries.update({k: v.encode() for k, v in FILES.items()})
    record = [_record(k, v) for k, v in entries.items()] + [f"{DIST_INFO}/RECORD,,"]
    entries[f"{DIST_INFO}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w") as z:
        for k, v in entries.items():
            z.writestr(k, v)
    return wheel
