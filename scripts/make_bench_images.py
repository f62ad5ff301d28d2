#!/usr/bin/env python3
"""Writes the image artifacts scripts/bench.sh times fleetsave on, with the standard library,
pigz and zstd only (no daemon, no registry):

  OUT/layout        an OCI image layout with these images (S = the layer size, default 1024 MiB):
                      single     : 1 gzip layer of S unpacked
                      multi      : 4 gzip layers of S/4 unpacked each
                      five-last  : the 4 layers of multi, then the layer of single (big one last)
                      five-first : the same 5 layers, the big one first
                      zstd       : the layer of single compressed with zstd -3
                      tiny       : 1 gzip layer of 64 KiB (pushed to a registry)
                      files      : 1 gzip layer of FILES small files (0-1000 bytes each), when
                                   FILES > 0
  OUT/docker.tar    a `docker save` archive (legacy layout: <id>/layer.tar, uncompressed) of
                    the multi image: S of layer tars
  OUT/layers/       the compressed layer blobs again, by name, for the igzip/zstd/sha256sum peers

Layer content is deterministic and about as compressible as real images (gzip -6 keeps roughly
two thirds of it; real images keep ~0.37): pseudo-text with runs of pseudo-random bytes.

Usage: make_bench_images.py OUT [LAYER_MIB [FILES]]
"""
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile

MIB = 1 << 20


class Content:
    """A file-like reader of `size` deterministic bytes."""

    def __init__(self, seed, size):
        self.rng = random.Random(seed)
        self.left = size
        words = [bytes(self.rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(self.rng.randint(2, 9))) for _ in range(4096)]
        self.text = b" ".join(self.rng.choice(words) for _ in range(200_000))

    def read(self, n=-1):
        if n < 0 or n > self.left:
            n = self.left
        out = bytearray()
        while len(out) < n:
            if self.rng.random() < 0.30:
                out += self.rng.randbytes(min(64 * 1024, n - len(out)))
            else:
                start = self.rng.randrange(0, len(self.text) - 256 * 1024)
                out += self.text[start:start + min(256 * 1024, n - len(out))]
        self.left -= n
        return bytes(out[:n])


def layer_tar(path, seed, size):
    """A layer tar with one file of `size` bytes; returns its sha256 (the diff ID)."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(f"data/blob-{seed}.bin")
        info.size = size
        info.mtime = 0
        tar.addfile(info, Content(seed, size))
    return sha256_of(path)


def files_tar(path, count):
    """A layer tar of `count` small files in directories of 1,000; returns its sha256."""
    rng = random.Random(7)
    text = Content(7, 0).text
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for i in range(count):
            if i % 1000 == 0:
                info = tarfile.TarInfo(f"usr/share/bench/d{i // 1000:04d}")
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            size = rng.randrange(0, 1001)
            info = tarfile.TarInfo(f"usr/share/bench/d{i // 1000:04d}/file-{i:07d}.txt")
            info.size = size
            start = rng.randrange(0, len(text) - size)

            tar.addfile(info, io.BytesIO(text[start:start + size]))
    return sha256_of(path)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


def put_blob(blobs, path=None, data=None):
    if data is not None:
        hex_digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, hex_digest), "wb") as f:
            f.write(data)
        return hex_digest, len(data)
    hex_digest = sha256_of(path)
    size = os.path.getsize(path)
    target = os.path.join(blobs, hex_digest)
    if not os.path.exists(target):
        shutil.copyfile(path, target)
    return hex_digest, size


GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"


def main(out, layer_mib, files):
    work = os.path.join(out, "work")
    blobs = os.path.join(out, "layout", "blobs", "sha256")
    os.makedirs(work, exist_ok=True)
    os.makedirs(blobs, exist_ok=True)
    os.makedirs(os.path.join(out, "layers"), exist_ok=True)
    with open(os.path.join(out, "layout", "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    big = layer_mib * MIB
    small = big // 4
    # name -> (tar path, diff id, {media type: (compressed path, digest hex, size)})
    layers = {}
    # Layers already written by an earlier run (same sizes) are reused: name -> diff id.
    known_path = os.path.join(out, "layers", f"diff-ids-{layer_mib}-{files}.json")
    known = json.load(open(known_path)) if os.path.exists(known_path) else {}

    def make(name, write_tar, compressions):
        tar_path = os.path.join(work, f"{name}.tar")
        outputs = [os.path.join(out, "layers", f"{name}.tar.{suffix}")
                   for _, suffix, _ in compressions]
        reuse = name in known and all(os.path.exists(o) for o in outputs) and (
            not name.startswith("multi") or os.path.exists(os.path.join(out, "docker.tar")))
        diff_id = known[name] if reuse else "sha256:" + write_tar(tar_path)
        known[name] = diff_id
        blobs_of = {}
        for (media_type, suffix, command), compressed in zip(compressions, outputs):
            if not reuse:
                with open(compressed, "wb") as f:
                    subprocess.run(command + [tar_path], stdout=f, check=True)
            hex_digest, size = put_blob(blobs, path=compressed)
            blobs_of[media_type] = (compressed, hex_digest, size)
        layers[name] = (tar_path, diff_id, blobs_of)

    gzip = (GZIP, "gz", ["pigz", "-6", "-n", "-c"])
    zstd = (ZSTD, "zst", ["zstd", "-3", "-q", "-T0", "-c"])
    for seed in (1, 2, 3, 4):
        make(f"multi-{seed}", lambda path, seed=seed: layer_tar(path, seed, small), [gzip])
    make("single-9", lambda path: layer_tar(path, 9, big), [gzip, zstd])
    make("tiny-5", lambda path: layer_tar(path, 5, 64 * 1024), [gzip])
    if files > 0:
        make("files", lambda path: files_tar(path, files), [gzip])
    with open(known_path, "w") as f:
        json.dump(known, f)

    multi = [("multi-1", GZIP), ("multi-2", GZIP), ("multi-3", GZIP), ("multi-4", GZIP)]
    images = {"single": [("single-9", GZIP)], "multi": multi,
              "five-last": multi + [("single-9", GZIP)],
              "five-first": [("single-9", GZIP)] + multi,
              "zstd": [("single-9", ZSTD)], "tiny": [("tiny-5", GZIP)]}
    if files > 0:
        images["files"] = [("files", GZIP)]
    index = []
    for name, parts in images.items():
        descriptors, diff_ids = [], []
        for layer, media_type in parts:
            _, diff_id, blobs_of = layers[layer]
            _, hex_digest, size = blobs_of[media_type]
            descriptors.append({"mediaType": media_type, "digest": "sha256:" + hex_digest,
                                "size": size})
            diff_ids.append(diff_id)
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": diff_ids},
                             "config": {}}, sort_keys=True).encode()
        config_hex, config_size = put_blob(blobs, data=config)
        manifest = json.dumps({"schemaVersion": 2,
                               "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": "sha256:" + config_hex, "size": config_size},
                               "layers": descriptors}).encode()
        manifest_hex, manifest_size = put_blob(blobs, data=manifest)
        index.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "digest": "sha256:" + manifest_hex, "size": manifest_size,
                      "annotations": {"org.opencontainers.image.ref.name": name}})
        if name == "multi" and not os.path.exists(os.path.join(out, "docker.tar")):
            docker = os.path.join(work, "docker")
            os.makedirs(docker, exist_ok=True)
            entries = []
            for layer, _ in parts:
                tar_path, diff_id, _ = layers[layer]
                layer_dir = os.path.join(docker, diff_id.split(":")[1])
                os.makedirs(layer_dir, exist_ok=True)
                shutil.copyfile(tar_path, os.path.join(layer_dir, "layer.tar"))
                entries.append(diff_id.split(":")[1] + "/layer.tar")
            with open(os.path.join(docker, config_hex + ".json"), "wb") as f:
                f.write(config)
            with open(os.path.join(docker, "manifest.json"), "w") as f:
                json.dump([{"Config": config_hex + ".json", "RepoTags": ["bench/multi:1"],
                            "Layers": entries}], f)
            subprocess.run(["tar", "-cf", os.path.join(out, "docker.tar"), "-C", docker, "."],
                           check=True)
    with open(os.path.join(out, "layout", "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": index}, f)
    shutil.rmtree(work)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/fleetsave-bench",
         int(sys.argv[2]) if len(sys.argv) > 2 else 1024,
         int(sys.argv[3]) if len(sys.argv) > 3 else 0)
