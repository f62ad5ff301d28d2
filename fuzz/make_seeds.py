#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz/seeds/ (committed; rerun to regenerate).

The fuzzers also start from the real fixtures (tests/fixtures/images, tests/fixtures/manifests,
data/examples): see fuzz/run.sh. These seeds add what the fixtures lack: tar archives with odd
entries (symlinks, hard links, `..` names, absolute names, huge size fields, pax and GNU long
names, GNU sparse entries, duplicate names, link loops), and small layer blobs.
"""
import gzip, hashlib, io, json, os, struct, tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")


def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def sha(b):
    return hashlib.sha256(b).hexdigest()


def header(name, size, typeflag=b"0", linkname=b"", size_field=None):
    """A raw ustar header; `size_field` overrides the 12-byte size field."""
    h = bytearray(512)
    h[0:len(name)] = name[:100]
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = size_field if size_field is not None else b"%011o\0" % size
    h[136:148] = b"00000000000\0"
    h[156:157] = typeflag
    h[157:157 + len(linkname)] = linkname[:100]
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b"        "
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def pad(b):
    return b + b"\0" * (-len(b) % 512)


def entry(name, data, typeflag=b"0", linkname=b""):
    return header(name, len(data), typeflag, linkname) + pad(data)


END = b"\0" * 1024


def docker_parts(layer=b""):
    """The members of a minimal valid docker save archive with one layer."""
    layer = layer or pad(entry(b"hello.txt", b"hello\n")) + END
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]}}).encode()
    cname = (sha(config) + ".json").encode()
    lname = (sha(layer) + "/layer.tar").encode()
    manifest = json.dumps([{"Config": cname.decode(), "RepoTags": ["seed:latest"],
                            "Layers": [lname.decode()]}]).encode()
    return cname, config, lname, layer, manifest


def oci_parts(layer=b"", media="application/vnd.oci.image.layer.v1.tar"):
    layer = layer or pad(entry(b"hello.txt", b"hello\n")) + END
    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": "sha256:" + sha(config), "size": len(config)},
                           "layers": [{"mediaType": media, "digest": "sha256:" + sha(layer),
                                       "size": len(layer)}]}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha(manifest),
         "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "seed"}}]}).encode()
    blobs = [(("blobs/sha256/" + sha(b)).encode(), b) for b in (config, layer, manifest)]
    return [(b"oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), (b"index.json", index)] + blobs


def archive(members):
    return b"".join(entry(n, d) for n, d in members) + END


def main():
    # --- size parser
    for i, text in enumerate(["500MB", "1.2 GiB", "43188023", "18446744073709551615",
                              "18446744073709551616", "16 EB", "15.999999999999 PiB", ".5kB", "5.",
                              "1e3", "-1", "NaN", "0.37", "125MB/s", "1 GiB/s", "٣MB", "1,5MB",
                              "99999999999999999999999999999999999999999", "0." + "9" * 40 + " PiB"]):
        put("size_parser", f"seed-{i:02}", text)

    # --- inventories
    put("inventory_csv", "hostile", 'service,before,after,runtime,nodes\n'
        '"<script>alert(1)</script>",500MB,80MB,python,10\n"a|b`c@channel #1\x1b[31m",1GB,2GB,,3\n'
        '"\u202eevil\r\nname",1,1,go,1\n')
    put("inventory_csv", "extremes", "service,before,after,services,nodes,deploys_per_day,basis\n"
        "huge,18446744073709551615,0,18446744073709551615,18446744073709551615,18446744073709551615,wire\n"
        "plan,16 EB,,1,1,1,disk\n")
    put("inventory_csv", "bom-crlf", "\ufeffService,Before,After\r\nx,1 GiB,2 MiB\r\n")
    put("inventory_toml", "full", '[defaults]\nnodes = 10\nbasis = "disk"\n\n[assumptions]\n'
        'compression_ratio = 0.37\nprice_per_gb = 1e300\n\n[[service]]\nservice = "api"\n'
        'before = "850MB"\nafter = 120000000\nruntime = "python"\n\n[[service]]\nservice = "plan"\n'
        'before = "2 GB"\nruntime = "java"\n')
    put("inventory_toml", "hostile", '[[service]]\nservice = "\\"]; --> <img onerror=x> \\u001b]8;;http://x\\u0007"\n'
        'before = "1GB"\nafter = "1"\n')

    # --- docker archives with odd entries
    cname, config, lname, layer, manifest = docker_parts()
    base = [(cname, config), (lname, layer), (b"manifest.json", manifest)]
    put("docker_archive", "plain.tar", archive(base))
    put("docker_archive", "symlinked-layer.tar",
        entry(cname, config) + entry(b"real/layer.tar", layer) +
        entry(lname, b"", b"2", b"../real/layer.tar") + entry(b"manifest.json", manifest) + END)
    put("docker_archive", "symlink-loop.tar",
        entry(cname, config) + entry(lname, b"", b"2", lname) + entry(b"manifest.json", manifest) + END)
    put("docker_archive", "hardlink.tar",
        entry(cname, config) + entry(b"x.tar", layer) + entry(lname, b"", b"1", b"x.tar") +
        entry(b"manifest.json", manifest) + END)
    put("docker_archive", "dotdot.tar",
        entry(cname, config) + entry(b"../../" + lname, layer) + entry(b"/manifest.json", manifest) + END)
    put("docker_archive", "duplicate-names.tar",
        entry(b"manifest.json", b"[]") + archive(base) )
    put("docker_archive", "huge-size-field.tar",
        entry(cname, config) + header(lname, 0, size_field=b"\x80" + b"\0" * 3 + b"\xff" * 8) +
        entry(b"manifest.json", manifest) + END)
    put("docker_archive", "huge-octal.tar",
        entry(cname, config) + header(lname, 0, size_field=b"77777777777\0") + layer)
    pax = b"30 size=99999999999999999999\n"
    put("docker_archive", "pax-size.tar",
        entry(b"././@PaxHeader", pax, b"x") + entry(cname, config) + entry(lname, layer) +
        entry(b"manifest.json", manifest) + END)
    longname = b"d/" * 80 + b"layer.tar"
    put("docker_archive", "gnu-longname.tar",
        entry(b"././@LongLink", longname + b"\0", b"L") + entry(b"short", layer) +
        entry(cname, config) + entry(b"manifest.json", manifest.replace(lname, longname)) + END)
    sparse = bytearray(header(lname, 512, b"S"))
    put("docker_archive", "sparse.tar",
        entry(cname, config) + bytes(sparse) + pad(b"x" * 512) + entry(b"manifest.json", manifest) + END)
    put("docker_archive", "fifo-and-dir.tar",
        entry(b"blobs/", b"", b"5") + entry(b"fifo", b"", b"6") + archive(base))
    inner_gz = gzip.compress(layer, mtime=0)
    c2, conf2, l2, lay2, man2 = docker_parts(inner_gz)
    put("docker_archive", "gzip-layer.tar", archive([(c2, conf2), (l2, lay2), (b"manifest.json", man2)]))
    put("docker_archive", "truncated.tar", archive(base)[:1500])

    # --- OCI layouts (as oci-archives; the harness also unpacks them into directories)
    put("oci_layout", "plain.tar", archive(oci_parts()))
    put("oci_layout", "gzip.tar", archive(oci_parts(gzip.compress(pad(entry(b"a", b"a" * 700)) + END, mtime=0),
                                                   "application/vnd.oci.image.layer.v1.tar+gzip")))
    parts = oci_parts()
    idx = json.loads(parts[1][1])
    loop = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                       "manifests": []}).encode()
    put("oci_layout", "nested-index.tar", archive(parts + [(b"blobs/sha256/" + sha(loop).encode(), loop)]))
    put("oci_layout", "dotdot-names.tar", archive([(b"../" + n, d) for n, d in parts]))
    put("oci_layout", "symlinked-blobs.tar",
        b"".join(entry(n, d) if not n.startswith(b"blobs/") else
                 entry(b"store/" + n[13:], d) + entry(n, b"", b"2", b"../../store/" + n[13:])
                 for n, d in parts) + END)

    # --- layer blobs: first byte picks the media type (0 gzip, 1 zstd, 2 tar, 3 docker gzip)
    tar = pad(entry(b"a.txt", b"hello " * 200)) + END
    put("layer_blob", "gzip", b"\0" + gzip.compress(tar, mtime=0))
    put("layer_blob", "gzip-multi", b"\0" + gzip.compress(tar, mtime=0) * 3)
    put("layer_blob", "tar", b"\2" + tar)
    put("layer_blob", "tar-pax", b"\2" + entry(b"p", b"20 size=1000000000\n", b"x") + tar)
    put("layer_blob", "tar-unterminated", b"\2" + tar[:-1024])
    put("layer_blob", "gzip-trailing", b"\3" + gzip.compress(tar, mtime=0) + b"garbage")
    put("layer_blob", "zstd-magic", b"\1" + b"\x28\xb5\x2f\xfd" + b"\0" * 20)

    # --- manifest JSON
    put("manifest_json", "deep", "[" * 5000 + "]" * 5000)
    put("manifest_json", "huge-sizes", json.dumps({"schemaVersion": 2, "config": {
        "mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + "a" * 64,
        "size": 18446744073709551615}, "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
        "digest": "sha256:" + "b" * 64, "size": 18446744073709551615}]}))
    put("manifest_json", "index", json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + "c" * 64,
         "size": 1, "platform": {"os": "linux", "architecture": "arm", "variant": "v7"}}]}))
    put("manifest_json", "inspect", json.dumps([{"Id": "sha256:" + "d" * 64, "Size": 18446744073709551615,
                                                 "RepoTags": ["<script>:x"]}]))


if __name__ == "__main__":
    main()
