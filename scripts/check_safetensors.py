#!/usr/bin/env python3
"""Reads a safetensors file with the Python standard library alone, following the spec
(https://github.com/huggingface/safetensors) independently of ropelm's C++ reader.

Checks the layout rules the reference reader enforces and prints JSON: the metadata and, per tensor, its dtype,
shape, element count and the float sum of its values. Exit status 1 (with the reason on stderr) for an invalid
file. Usage: check_safetensors.py FILE
"""
import json
import math
import struct
import sys

MAX_HEADER_BYTES = 100_000_000
# dtype -> (struct format code, bytes per element); BF16 has no struct code and is decoded by hand.
DTYPES = {
    "F64": ("d", 8), "F32": ("f", 4), "F16": ("e", 2), "BF16": (None, 2), "I64": ("q", 8),
    "I32": ("i", 4), "I16": ("h", 2), "I8": ("b", 1), "U8": ("B", 1), "BOOL": ("?", 1),
}


def decode(dtype, raw):
    code, size = DTYPES[dtype]
    count = len(raw) // size
    if dtype == "BF16":  # bfloat16 is the upper half of an IEEE float32
        return [struct.unpack("<f", b"\0\0" + raw[2 * i:2 * i + 2])[0] for i in range(count)]
    return struct.unpack("<%d%s" % (count, code), raw)


def read(path):
    with open(path, "rb") as file:
        data = file.read()
    if len(data) < 8:
        raise ValueError("shorter than the 8-byte header length")
    (length,) = struct.unpack("<Q", data[:8])
    if length > MAX_HEADER_BYTES or 8 + length > len(data):
        raise ValueError("header length %d does not fit" % length)
    header = json.loads(data[8:8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    buffer = data[8 + length:]
    position = 0
    tensors = {}
    for name, info in sorted(header.items(), key=lambda item: tuple(item[1]["data_offsets"])):
        begin, end = info["data_offsets"]
        count = math.prod(info["shape"])
        if begin != position or end - begin != count * DTYPES[info["dtype"]][1]:
            raise ValueError("tensor %r: bad data_offsets %r" % (name, info["data_offsets"]))
        position = end
        values = decode(info["dtype"], buffer[begin:end])
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "count": count,
                         "sum": math.fsum(float(v) for v in values)}
    if position != len(buffer):
        raise ValueError("tensors cover %d of %d data bytes" % (position, len(buffer)))
    return {"metadata": metadata, "tensors": tensors}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        result = read(sys.argv[1])
    except (OSError, ValueError, KeyError, TypeError) as error:
        print("invalid safetensors file %s: %s" % (sys.argv[1], error), file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
