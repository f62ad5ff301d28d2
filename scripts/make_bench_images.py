#!/usr/bin/env python3
"""Writes the image artifacts scripts/bench.sh times fleetsave on, with the standard library and
pigz only (no daemon, no registry):

  OUT/layout        an OCI image layout with two gzip images:
                      multi  : 4 layers of 256 MiB unpacked each
                      single : 1 layer of 1 GiB unpacked
  OUT/docker.tar    a `docker save` archive (legacy layout: <id>/layer.tar, uncompressed) of
                    the multi image: 1 GiB of layer tars
  OUT/layers/       the gzip layer blobs again, by name, for the gzip/pigz/sha256sum baselines

Layer content is deterministic and about as compressible as real images (gzip -6 keeps roughly
a third): pseudo-text with runs of pseudo-random bytes.
"""
import hashlib
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
    shutil.copyfile(path, os.path.join(blobs, hex_digest))
    return hex_digest, size


def main(out):
    work = os.path.join(out, "work")
    blobs = os.path.join(out, "layout", "blobs", "sha256")
    os.makedirs(work, exist_ok=True)
    os.makedirs(blobs, exist_ok=True)
    os.makedirs(os.path.join(out, "layers"), exist_ok=True)
    with open(os.path.join(out, "layout", "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    images = {"multi": [(1, 256 * MIB), (2, 256 * MIB), (3, 256 * MIB), (4, 256 * MIB)],
              "single": [(9, 1024 * MIB)]}
    index = []
    tars = {}
    for name, layers in images.items():
        descriptors, diff_ids = [], []
        for seed, size in layers:
            tar_path = os.path.join(work, f"layer-{seed}.tar")
            diff_ids.append("sha256:" + layer_tar(tar_path, seed, size))
            tars[seed] = (tar_path, diff_ids[-1])
            gz_path = os.path.join(out, "layers", f"{name}-{seed}.tar.gz")
            with open(gz_path, "wb") as gz:
                subprocess.run(["pigz", "-6", "-n", "-c", tar_path], stdout=gz, check=True)
            hex_digest, blob_size = put_blob(blobs, path=gz_path)
            descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                "digest": "sha256:" + hex_digest, "size": blob_size})
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
        if name == "multi":
            docker = os.path.join(work, "docker")
            os.makedirs(docker, exist_ok=True)
            entries = []
            for seed, _ in layers:
                tar_path, diff_id = tars[seed]
                layer_dir = os.path.join(docker, diff_id.split(":")[1])
                os.makedirs(layer_dir, exist_ok=True)
                os.replace(tar_path, os.path.join(layer_dir, "layer.tar"))
                entries.append(diff_id.split(":")[1] + "/layer.tar")
            with open(os.path.join(docker, config_hex + ".json"), "wb") as f:
                f.write(config)
            with open(os.path.join(docker, "manifest.json"), "w") as f:
                json.dump([{"Config": config_hex + ".json", "RepoTags": ["bench/multi:1"],
                            "Layers": entries}], f)
            subprocess.run(["tar", "-cf", os.path.join(out, "docker.tar"), "-C", docker, "."], check=True)
    with open(os.path.join(out, "layout", "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": index}, f)
    shutil.rmtree(work)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/fleetsave-bench")
