"""Image files with provenance metadata, written byte by byte from the formats' specifications."""

from __future__ import annotations

import datetime
import gzip
import io
import struct
import zlib

import numpy as np
from PIL import Image

FIXTURES = "../shared/fixtures/provenance"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
XMP_KEY = "XML:com.adobe.xmp"


def pixels(width: int = 64, height: int = 48, channels: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)


def encode(arr: np.ndarray, fmt: str, **save) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, fmt, **save)
    return buf.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def text_chunk(key: str, value: str, kind: str = "tEXt") -> bytes:
    k = key.encode("latin-1")
    if kind == "tEXt":
        return png_chunk(b"tEXt", k + b"\0" + value.encode("latin-1"))
    if kind == "zTXt":
        return png_chunk(b"zTXt", k + b"\0\0" + zlib.compress(value.encode("latin-1")))
    body = value.encode("utf-8")
    return png_chunk(b"iTXt", k + b"\0\1\0\0\0" + zlib.compress(body))  # compressed, no language


def with_chunks(png: bytes, chunks: list[bytes], after_idat: bool = False) -> bytes:
    """Insert chunks right after IHDR (or before IEND)."""
    at = len(png) - 12 if after_idat else 8 + 25
    return png[:at] + b"".join(chunks) + png[at:]


def png_with_text(texts: dict[str, str], kind: str = "tEXt", arr: np.ndarray | None = None) -> bytes:
    base = encode(pixels() if arr is None else arr, "PNG")
    return with_chunks(base, [text_chunk(k, v, kind) for k, v in texts.items()])


def xmp_packet(body: str) -> str:
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'{body}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def source_type_xmp(term: str, style: str = "attribute") -> str:
    ns = 'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
    if style == "attribute":
        return xmp_packet(f'<rdf:Description rdf:about="" {ns} Iptc4xmpExt:DigitalSourceType="{IPTC}{term}"/>')
    return xmp_packet(f'<rdf:Description rdf:about="" {ns}><Iptc4xmpExt:DigitalSourceType>{IPTC}{term}'
                      '</Iptc4xmpExt:DigitalSourceType></rdf:Description>')


def jpeg_with_xmp(xmp: str) -> bytes:
    """A JPEG whose APP1 XMP segment is written by hand (namespace header + packet)."""
    base = encode(pixels(), "JPEG")
    body = b"http://ns.adobe.com/xap/1.0/\0" + xmp.encode("utf-8")
    return base[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + base[2:]


def exif_with(ifd0: dict | None = None, exif_ifd: dict | None = None) -> Image.Exif:
    exif = Image.Exif()
    for tag, value in (ifd0 or {}).items():
        exif[tag] = value
    sub = exif.get_ifd(0x8769)
    for tag, value in (exif_ifd or {}).items():
        sub[tag] = value
    return exif


def webui_parameters(version: str = "v1.10.1") -> str:
    return ("a lighthouse at dusk, (oil painting:1.2)\nNegative prompt: blurry\n"
            "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 1234, Size: 512x512, "
            f"Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Version: {version}")


def stealth_png(payload: bytes, magic: bytes, arr: np.ndarray | None = None, length_bits: int | None = None) -> bytes:
    """Hide `magic`, a 32-bit length and `payload` in pixel LSBs, column-major (alpha or RGB per the magic)."""
    rgb = b"rgb" in magic
    compressed = magic.endswith(b"comp")
    body = gzip.compress(payload) if compressed else payload
    bits = np.unpackbits(np.frombuffer(magic + struct.pack(">I", len(body) * 8 if length_bits is None else length_bits) + body, np.uint8))
    arr = (pixels(64, 160, 4, seed=1) if arr is None else arr).copy()
    planes = arr.transpose(1, 0, 2)  # a column-major view of the same pixels
    target = planes[..., :3].reshape(-1) if rgb else planes[..., 3].reshape(-1)
    target = target.copy()
    target[: len(bits)] = (target[: len(bits)] & 0xFE) | bits
    if rgb:
        planes[..., :3] = target.reshape(planes[..., :3].shape)
    else:
        planes[..., 3] = target.reshape(planes[..., 3].shape)
    return encode(arr, "PNG")


def signing_chain():
    """A root CA and an ES256 leaf certificate fit for C2PA signing (PEM chain, PEM key, PEM root)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def cert(subject, issuer, public_key, signing_key, ca: bool):  # c2pa-rs wants the extensions below
        usage = dict(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                     encipher_only=False, decipher_only=False)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=365))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(**usage), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
        if not ca:
            builder = (builder
                       .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
                                      critical=False))
        return builder.sign(signing_key, hashes.SHA256())

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vc-curate tests")])

    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = cert(name("vc-curate test root"), name("vc-curate test root"), root_key.public_key(), root_key, True)
    leaf = cert(name("vc-curate test signer"), root.subject, leaf_key.public_key(), root_key, False)
    pem = [c.public_bytes(serialization.Encoding.PEM).decode() for c in (leaf, root)]
    key = leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()
    return pem[0] + pem[1], key, pem[1]


def c2pa_sign(chain, source: bytes, mime: str, actions: list[dict], remote_url: str | None = None) -> bytes:
    """`source` with a C2PA manifest signed by `chain` (from `signing_chain`), made by c2pa-python."""
    import c2pa

    certs, key, _root = chain
    manifest = {"claim_generator_info": [{"name": "vc-curate-tests", "version": "1"}], "title": "test",
                "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}]}
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, certs.encode(), key.encode(),
                                                       None))
    builder = c2pa.Builder(manifest)
    if remote_url:
        builder.set_no_embed()
        builder.set_remote_url(remote_url)
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(source), out)
    return out.getvalue()


def created(term: str, action: str = "c2pa.created") -> dict:
    return {"action": action, "digitalSourceType": IPTC + term}
