"""Runs Django 3.2's multipart parser on hand-built request bodies and writes
what it produced (POST, FILES, or the exception) to test/fixtures/multipart.json.

Run with /usr/bin/python3 scripts/django/multipart.py (deterministic)."""
import base64
import hashlib
import io
import json
import os
import random
import sys
import tempfile

import django
from django.conf import settings

TEMP = tempfile.mkdtemp(prefix="django-multipart-fixtures-")
settings.configure(
    DEBUG=False,
    SECRET_KEY="fixtures",
    ALLOWED_HOSTS=["testserver"],
    FILE_UPLOAD_TEMP_DIR=TEMP,
)
django.setup()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.http.multipartparser import MultiPartParser  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

random.seed(1234)
B = b"BoUnDaRy"
CT = "multipart/form-data; boundary=BoUnDaRy"
cases = []


def field(name, value, extra=b""):
    if isinstance(value, str):
        value = value.encode()
    return b"--" + B + b'\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n' + extra + b"\r\n" + value + b"\r\n"


def file(name, filename, content, ctype=b"text/plain", extra=b""):
    if isinstance(filename, str):
        filename = filename.encode()
    head = b'Content-Disposition: form-data; name="' + name.encode() + b'"; filename="' + filename + b'"\r\n'
    if ctype is not None:
        head += b"Content-Type: " + ctype + b"\r\n"
    return b"--" + B + b"\r\n" + head + extra + b"\r\n" + content + b"\r\n"


END = b"--" + B + b"--\r\n"


def case(name, body, content_type=CT, content_length=None, settings=None, source=None):
    cases.append(
        dict(
            name=name,
            source=source,
            body=body,
            content_type=content_type,
            content_length=len(body) if content_length is None else content_length,
            settings=settings or {},
        )
    )


# --- basics -----------------------------------------------------------------
case("one field", field("a", "1") + END)
case("fields, repeated key, empty value", field("a", "1") + field("b", "") + field("a", "2") + END)
case("utf-8 field name and value", field("ñame", "värde ✓") + END)
case("invalid utf-8 in a value is replaced", field("a", b"ok \xff\xfe end") + END)
case("value with CRLF inside", field("a", "line1\r\nline2\r\n") + END)
case("one file", file("f", "hello.txt", b"hello world") + END)
case("file and fields", field("title", "x") + file("f", "a.bin", bytes(range(256)), b"application/octet-stream") + field("after", "y") + END)
case("several files under one key", file("f", "a.txt", b"A") + file("f", "b.txt", b"BB") + file("g", "c.txt", b"CCC") + END)
case("two files with the same name", file("f", "same.txt", b"one") + file("f", "same.txt", b"two") + END)
case("empty file", file("f", "empty.txt", b"") + END)
case("file without content type", file("f", "x.dat", b"data", ctype=None) + END)
case("content type lower-cased, charset and extras", file("f", "x.txt", b"data", ctype=b'Text/PLAIN; charset=ISO-8859-1; foo="b;ar"') + END)
case("filename empty string makes a field", b"--" + B + b'\r\nContent-Disposition: form-data; name="f"; filename=""\r\n\r\nvalue\r\n' + END)
case("part without name is skipped", b"--" + B + b'\r\nContent-Disposition: form-data\r\n\r\nignored\r\n' + field("a", "1") + END)
case("part without content-disposition is skipped", b"--" + B + b'\r\nContent-Type: text/plain\r\n\r\nignored\r\n' + field("a", "1") + END)
case("part without headers is skipped", b"--" + B + b'\r\n\r\nignored\r\n' + field("a", "1") + END)
case("header block over 1024 bytes makes a raw part", b"--" + B + b'\r\nContent-Disposition: form-data; name="big"\r\nX-Pad: ' + b"p" * 1100 + b"\r\n\r\nv\r\n" + field("a", "1") + END)
case("header block just under 1024 bytes", b"--" + B + b'\r\nContent-Disposition: form-data; name="big"\r\nX-Pad: ' + b"p" * 950 + b"\r\n\r\nv\r\n" + END)
case("name with spaces is stripped", b"--" + B + b'\r\nContent-Disposition: form-data; name="  sp  "\r\n\r\nv\r\n' + END)
case("header names and values are case-insensitive", b"--" + B + b'\r\nCONTENT-DISPOSITION: FORM-DATA; NAME="Up"\r\n\r\nv\r\n' + END)
case("quoted name with escapes and semicolon", b"--" + B + b'\r\nContent-Disposition: form-data; name="a\\"b;c"\r\n\r\nv\r\n' + END)
case("unquoted parameters", b"--" + B + b'\r\nContent-Disposition: form-data; name=plain; filename=file.txt\r\n\r\nv\r\n' + END)
case("preamble and epilogue are ignored", b"This is a preamble\r\n" + field("a", "1") + END + b"epilogue text\r\n")
case("LF-only line endings", b"--" + B + b'\nContent-Disposition: form-data; name="a"\n\nv\n--' + B + b"--\n")
case("body without closing delimiter keeps the last field", field("a", "1") + b"--" + B + b'\r\nContent-Disposition: form-data; name="b"\r\n\r\npartial')
case("body ending right after a delimiter", field("a", "1") + b"--" + B)
case("file ending right after its delimiter is dropped", file("f", "x.txt", b"data")[:-2] + b"\r\n--" + B)
case("closing delimiter without CRLF", field("a", "1") + b"--" + B + b"--")
case("content length 0 gives empty results", field("a", "1") + END, content_length=0)
case("latin-1 request encoding", field("a", b"caf\xe9") + END, content_type=CT + "; charset=latin-1")
case("binary file content with CR and LF", file("f", "b.bin", b"\r\n\r\r\n\n--" + B[:-1] + b"\r\n", b"application/octet-stream") + END)
case("boundary-like text inside a value", field("a", "--" + B.decode()[:-1] + "X and -- more") + END)
case("quoted boundary", field("a", "1") + END, content_type='multipart/form-data; boundary="BoUnDaRy"')
case("multipart/mixed is parsed too", field("a", "1") + END, content_type="multipart/mixed; boundary=BoUnDaRy")
case("extra parameters after the boundary", field("a", "1") + END, content_type="multipart/form-data; boundary=BoUnDaRy; foo=bar")

# --- base64 -----------------------------------------------------------------
enc = base64.b64encode(b"This data will be transmitted base64-encoded.")
case("test_base64_upload", file("file", "test.txt", enc, extra=b"Content-Transfer-Encoding: base64\r\n") + END, source="file_uploads.tests.FileUploadTests.test_base64_upload")
wrapped = b"\r\n".join(enc[i:i + 16] for i in range(0, len(enc), 16))
case("base64 file with line breaks", file("file", "test.txt", wrapped, extra=b"Content-Transfer-Encoding: base64\r\n") + END)
big = bytes(random.getrandbits(8) for _ in range(50000))
case("test_big_base64_upload (50 kB)", file("file", "big.bin", base64.encodebytes(big), extra=b"Content-Transfer-Encoding: base64\r\n") + END, source="file_uploads.tests.FileUploadTests.test_big_base64_upload")
case("base64 file with invalid data", file("file", "bad.txt", b"!!!!not base64", extra=b"Content-Transfer-Encoding: base64\r\n") + END, source="file_uploads.tests.FileUploadTests.test_base64_invalid_upload")
case("base64 file truncated", file("file", "t.txt", b"QUJD" + b"RE", extra=b"Content-Transfer-Encoding: base64\r\n") + END)
case("base64 field", field("a", base64.b64encode("héllo".encode()), extra=b"Content-Transfer-Encoding: base64\r\n") + END)
case("base64 field that does not decode stays raw", field("a", b"abc", extra=b"Content-Transfer-Encoding: base64\r\n") + END)
case("base64 transfer encoding with spaces and case", file("file", "x.txt", enc, extra=b"Content-Transfer-Encoding:  BASE64 \r\n") + END)

# --- RFC 2231 ---------------------------------------------------------------
case("test_unicode_name_rfc2231", b"--" + B + b"\r\nContent-Disposition: form-data; name*=UTF-8''file_unicode; filename*=UTF-8''test_%E4%B8%AD%E6%96%87_Orl%C3%A9ans.jpg\r\nContent-Type: application/octet-stream\r\n\r\nUnicode file\r\n" + END, source="file_uploads.tests.FileUploadTests.test_unicode_name_rfc2231")
case("test_unicode_file_name_rfc2231", b"--" + B + b"\r\nContent-Disposition: form-data; name=\"file_unicode\"; filename*=UTF-8''test_%E4%B8%AD%E6%96%87_Orl%C3%A9ans.jpg\r\nContent-Type: application/octet-stream\r\n\r\nUnicode file\r\n" + END, source="file_uploads.tests.FileUploadTests.test_unicode_file_name_rfc2231")
for i, (disp, label) in enumerate([
    (b"form-data; name=\"f\"; filename*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "us-ascii with language"),
    (b"form-data; name=\"f\"; filename*=utf-8''foo-%c3%a4.html", "lower-case percent escapes"),
    (b"form-data; name=\"f\"; filename*=iso-8859-1'en'%A3%20rates", "iso-8859-1"),
    (b"form-data; name=\"f\"; filename*=UTF-8''foo-a%cc%88.html", "combining character"),
    (b"form-data; name=\"f\"; filename*=\"UTF-8''quoted%20name.txt\"", "quoted extended value"),
    (b"form-data; name=\"f\"; filename*=UTF-8'bad.txt", "one apostrophe only: raw value"),
    (b"form-data; name=\"f\"; filename=\"plain.txt\"; filename*=UTF-8''ext%C3%A9.txt", "extended value after plain"),
    (b"form-data; name=\"f\"; filename*=UTF-8''ext%C3%A9.txt; filename=\"plain.txt\"", "plain value after extended"),
    (b"form-data; name=\"f\"; filename*=UTF-8''bad%FF%FE.txt", "invalid utf-8 percent escapes"),
    (b"form-data; name=\"f\"; filename*=UTF-8''", "empty extended filename makes a field"),
    (b"form-data; name*=UTF-8''%20sp%C3%A9%20; filename=\"a.txt\"", "extended name is stripped"),
    (b"form-data; name=\"f\"; filename*=UTF-8''no-percent.txt", "extended value without escapes"),
]):
    case("test_rfc2231_parsing: " + label, b"--" + B + b"\r\nContent-Disposition: " + disp + b"\r\n\r\ncontent\r\n" + END, source="file_uploads.tests.MultiParserTests.test_rfc2231_parsing")

# --- file names -------------------------------------------------------------
for i, fn in enumerate(["", "C:\\", "/", "\\", ".", "..", "./", ".\\", "../", "..\\", "&#46;&#46;", "..&sol;", "&#x2F;"]):
    case("test_blank_filenames %r" % fn, file("file%d" % i, fn, b"You got pwnd.") + END, source="file_uploads.tests.FileUploadTests.test_blank_filenames")
for i, fn in enumerate([
    "/tmp/hax0rd.txt", "C:\\Windows\\hax0rd.txt", "C:/Windows/hax0rd.txt", "\\tmp\\hax0rd.txt", "/tmp\\hax0rd.txt",
    "subdir/hax0rd.txt", "subdir\\hax0rd.txt", "sub/dir\\hax0rd.txt", "../../hax0rd.txt", "..\\..\\hax0rd.txt",
    "../..\\hax0rd.txt", "..&#x2F;hax0rd.txt", "..&sol;hax0rd.txt", "..&#x5C;hax0rd.txt", "..&bsol;hax0rd.txt",
    "&lt;b&gt;&amp;&amp;&ampx;&#0;&#1;&#128;&#xD800;&#x110000;&notin;&notit;.txt", "a&#x2F..&#47hax.txt",
]):
    case("test_dangerous_file_names %r" % fn, file("file_%d" % i, fn, b"You got pwnd.") + END, source="file_uploads.tests.FileUploadTests.test_dangerous_file_names")
case("test_filename_traversal_upload", file("my_file", "..&#x2F;test.txt", b"file contents.") + file("my_file2", "..&sol;test.txt", b"file contents.") + END, source="file_uploads.tests.FileUploadTests.test_filename_traversal_upload")
for label, fn in [
    ("long name, short extension", "a" * 300 + ".txt"),
    ("long extension", "a.b" + "c" * 300),
    ("long name without extension", "x" * 300),
    ("long non-ascii name", "é" * 200 + "中" * 100 + ".jpeg"),
    ("long name of astral characters", "\U0001F600" * 200 + "\u00e9" * 60 + ".png"),
    ("leading dots are not an extension", "." * 2 + "d" * 300),
]:
    case("test_filename_overflow: " + label, file("f", fn.encode(), b"overflow") + END, source="file_uploads.tests.FileUploadTests.test_filename_overflow")
case("filename in latin-1 bytes decoded with the request encoding", file("f", b"caf\xe9.txt", b"x") + END, content_type=CT + "; charset=latin-1")
case("filename with invalid utf-8 bytes is replaced", file("f", b"caf\xe9.txt", b"x") + END)

# --- truncated bodies -------------------------------------------------------
payload = file("file", "foo.txt", b"file contents" * 100) + END
case("test_truncated_multipart_handled_gracefully", field("a", "1") + payload[:-(len(END) + 100)], content_length=len(field("a", "1") + payload), source="file_uploads.tests.FileUploadTests.test_truncated_multipart_handled_gracefully")
case("truncated inside the headers", field("a", "1") + b"--" + B + b'\r\nContent-Disposition: form-da')
case("truncated inside the first delimiter", b"--BoUn")
case("empty body with a content length", b"", content_length=100)
case("file complete, next part truncated in headers", file("f", "ok.txt", b"complete") + b"--" + B + b"\r\nContent-Disp")

# --- invalid content types and boundaries -------------------------------------
case("test_invalid_content_type", b"x", content_type="text/plain", source="file_uploads.tests.MultiParserTests.test_invalid_content_type")
case("Content-Type is case-sensitive on multipart/", field("a", "1") + END, content_type="Multipart/form-data; boundary=BoUnDaRy")
case("test_multipart_without_boundary", field("a", "1") + END, content_type="multipart/form-data", source="requests.tests.RequestsTests.test_multipart_without_boundary")
case("empty boundary", field("a", "1") + END, content_type="multipart/form-data; boundary=")
case("boundary over 200 characters", b"x", content_type="multipart/form-data; boundary=" + "b" * 201)
case("boundary of 70 characters", field("a", "1").replace(B, b"b" * 70) + END.replace(B, b"b" * 70), content_type="multipart/form-data; boundary=" + "b" * 70)
case("boundary ending with a space", b"x", content_type='multipart/form-data; boundary="abc "')
case("non-ascii Content-Type", b"x", content_type="multipart/form-data; boundary=\xe9t\xe9")
case("negative content length", field("a", "1") + END, content_length=-1)

# --- limits (test_data_upload_settings.py) ---------------------------------------
mem = field("name", "value") + END
case("DataUploadMaxMemorySizeMultipartPostTests.test_size_exceeded", mem, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 10}, source="requests.test_data_upload_settings.DataUploadMaxMemorySizeMultipartPostTests.test_size_exceeded")
case("DataUploadMaxMemorySizeMultipartPostTests.test_size_not_exceeded", mem, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 11}, source="requests.test_data_upload_settings.DataUploadMaxMemorySizeMultipartPostTests.test_size_not_exceeded")
case("DataUploadMaxMemorySizeMultipartPostTests.test_no_limit", mem, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": None}, source="requests.test_data_upload_settings.DataUploadMaxMemorySizeMultipartPostTests.test_no_limit")
case("DataUploadMaxMemorySizeMultipartPostTests.test_file_passes", file("file1", "test1.txt", b"a" * 100) + END, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 1}, source="requests.test_data_upload_settings.DataUploadMaxMemorySizeMultipartPostTests.test_file_passes")
case("memory size: names count in characters", field("ñ", "v") + END, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 4})
case("memory size: names count in characters (over)", field("ñ", "vv") + END, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 4})
case("memory size: empty value, name alone over the limit", field("name", "") + END, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 5})
case("memory size: base64 counts the encoded length", field("a", base64.b64encode(b"abcdef"), extra=b"Content-Transfer-Encoding: base64\r\n") + END, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 10})
case("memory size: several fields add up", field("a", "12345") + field("b", "12345") + END, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 15})
case("memory size: several fields add up (exactly)", field("a", "12345") + field("b", "12345") + END, settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 16})
two = field("a", "1") + field("b", "2") + END
case("DataUploadMaxNumberOfFieldsMultipartPost.test_number_exceeded", two, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": 1}, source="requests.test_data_upload_settings.DataUploadMaxNumberOfFieldsMultipartPost.test_number_exceeded")
case("DataUploadMaxNumberOfFieldsMultipartPost.test_number_not_exceeded", two, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": 2}, source="requests.test_data_upload_settings.DataUploadMaxNumberOfFieldsMultipartPost.test_number_not_exceeded")
case("DataUploadMaxNumberOfFieldsMultipartPost.test_no_limit", two, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": None}, source="requests.test_data_upload_settings.DataUploadMaxNumberOfFieldsMultipartPost.test_no_limit")
case("number of fields: a preamble counts", b"preamble\r\n" + two, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": 2})
case("number of fields: files do not count", file("f", "a.txt", b"1") + file("g", "b.txt", b"2") + field("a", "1") + END, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": 1})
case("number of fields: nameless parts count", b"--" + B + b'\r\nContent-Disposition: form-data\r\n\r\nx\r\n' + two, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": 2})
case("number of fields: zero allowed", field("a", "1") + END, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": 0})
case("number of fields: fails before the rest", b"".join(field("f%d" % i, "v") for i in range(50)) + file("late", "late.txt", b"x") + END, settings={"DATA_UPLOAD_MAX_NUMBER_FIELDS": 10})
twofiles = file("file1", "test1.txt", b"a") + file("file2", "test2.txt", b"b") + END
case("DataUploadMaxNumberOfFilesMultipartPost.test_number_exceeded", twofiles, settings={"DATA_UPLOAD_MAX_NUMBER_FILES": 1}, source="requests.test_data_upload_settings.DataUploadMaxNumberOfFilesMultipartPost.test_number_exceeded")
case("DataUploadMaxNumberOfFilesMultipartPost.test_number_not_exceeded", twofiles, settings={"DATA_UPLOAD_MAX_NUMBER_FILES": 2}, source="requests.test_data_upload_settings.DataUploadMaxNumberOfFilesMultipartPost.test_number_not_exceeded")
case("DataUploadMaxNumberOfFilesMultipartPost.test_no_limit", twofiles, settings={"DATA_UPLOAD_MAX_NUMBER_FILES": None}, source="requests.test_data_upload_settings.DataUploadMaxNumberOfFilesMultipartPost.test_no_limit")
case("number of files: skipped file names still count", file("a", "..", b"1") + file("b", "ok.txt", b"2") + END, settings={"DATA_UPLOAD_MAX_NUMBER_FILES": 1})

# --- memory or disk -------------------------------------------------------------
small = file("f", "small.txt", b"s" * 10) + file("g", "big.bin", bytes(random.getrandbits(8) for _ in range(3000))) + END
case("whole request under FILE_UPLOAD_MAX_MEMORY_SIZE: in memory", small, settings={"FILE_UPLOAD_MAX_MEMORY_SIZE": len(small)})
case("whole request over FILE_UPLOAD_MAX_MEMORY_SIZE: every file on disk", small, settings={"FILE_UPLOAD_MAX_MEMORY_SIZE": len(small) - 1})
large = bytes(random.getrandbits(8) for _ in range(200000))
case("200 kB file on disk", field("x", "1") + file("f", "large.bin", large, b"application/octet-stream") + END, settings={"FILE_UPLOAD_MAX_MEMORY_SIZE": 1000})


def describe(f):
    data = f.read()
    charset = f.charset
    if isinstance(charset, bytes):
        charset = charset.decode("latin-1")
    extra = {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in (f.content_type_extra or {}).items()}
    return dict(
        name=f.name,
        size=f.size,
        content_type=f.content_type,
        charset=charset,
        content_type_extra=extra,
        sha256=hashlib.sha256(data).hexdigest(),
        in_memory=type(f).__name__ == "InMemoryUploadedFile",
    )


out = []
for c in cases:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "CONTENT_TYPE": c["content_type"],
        "CONTENT_LENGTH": str(c["content_length"]),
        "wsgi.input": io.BytesIO(c["body"]),
    }
    with override_settings(**c["settings"]):
        request = WSGIRequest(environ)
        try:
            # What request.POST does for multipart/form-data, for any Content-Type,
            # so that the parser's own checks show.
            post, files = MultiPartParser(request.META, request, request.upload_handlers, request.encoding).parse()
            result = dict(
                POST=[[k, v] for k, v in post.lists()],
                FILES=[[k, [describe(f) for f in v]] for k, v in files.lists()],
            )
        except Exception as e:  # noqa: BLE001
            result = dict(error=type(e).__name__, message=str(e))
        encoding = request.encoding or settings.DEFAULT_CHARSET
    out.append(
        dict(
            name=c["name"],
            source=c["source"],
            content_type=c["content_type"],
            content_length=c["content_length"],
            encoding=encoding,
            settings=c["settings"],
            body=base64.b64encode(c["body"]).decode(),
            result=result,
        )
    )

leftover = os.listdir(TEMP)
os.rmdir(TEMP) if not leftover else None
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "multipart.json")
with open(path, "w") as fh:
    json.dump(dict(django=django.get_version(), cases=out), fh, indent=1, ensure_ascii=False)
    fh.write("\n")
print("wrote %d cases to %s" % (len(out), os.path.normpath(path)), file=sys.stderr)
