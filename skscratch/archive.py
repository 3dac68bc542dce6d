"""The model file as an archive: written atomically, read within limits, never pickled.

A model file is an ``.npz`` (zip) archive of ``.npy`` members: ``header``
(JSON as bytes), ``weight.<i>``, ``moment.<i>``, ``classes_`` and
``feature_names_in_``. :func:`read_archive` opens the file once and does
every check and every read through that one handle, so what it checks is
what it reads even while another process replaces the file. It checks the
archive's directory before decompressing anything: every member's name
(unknown names are refused at once) and every member's declared size,
against limits; only then each member's ``.npy`` header (shape and dtype,
which NumPy allocates from) is checked against that declared size, and only
then are the arrays read, with ``allow_pickle=False``.
:func:`write_archive` replaces a file in one step, with the mode
``open(path, "w")`` would give it.
"""

import json
import os
import re
import secrets
import stat
import zipfile

import numpy as np

# the members a model file may hold
MEMBER = re.compile(r"(header|weight\.\d{1,6}|moment\.\d{1,6}|classes_|feature_names_in_)\.npy")
# the most a model file may decompress to, in all, and its header alone
MAX_ARCHIVE_BYTES = 4 << 30
MAX_HEADER_BYTES = 16 << 20
# files are read and written as bytes (a flag on Windows only)
_BINARY = getattr(os, "O_BINARY", 0)


def write_archive(path, header, arrays):
    """Write ``header`` and ``arrays`` to ``path`` atomically.

    The archive goes to a new file in the same folder, which then replaces
    ``path`` in one step: a failure part-way never leaves a truncated file
    in place of a good one, and a reader sees the old file or the new one,
    whole. The new file gets the mode ``open(path, "w")`` would give: that
    of the file it replaces, else what the umask leaves of ``0o666``.

    Parameters
    ----------
    path : str or path-like
    header : dict
        JSON-ready.
    arrays : dict of str to ndarray
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    arrays = {**arrays, "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
    temporary = os.path.join(folder, f".skscratch-{secrets.token_hex(8)}.npz")
    # 0o666 as open() creates files: the umask (or the folder's default ACL) has its say
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
    try:
        with os.fdopen(handle, "wb") as f:
            _keep_mode(path, temporary)
            np.savez(f, **arrays)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _keep_mode(path, temporary):
    """Give ``temporary`` the permissions of the file at ``path``, if there is one."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return
    os.chmod(temporary, mode)


def read_archive(path, check_sizes=None):
    """``(header, arrays)`` of a model file, checked before anything is decompressed.

    Parameters
    ----------
    path : str or path-like
    check_sizes : callable, optional
        ``check_sizes(header, sizes)`` with the parsed header and each
        member's declared (uncompressed) size by array name, called after the
        header alone is read and before any other member is decompressed;
        raises ValueError to refuse the file (e.g. weight arrays larger than
        the header's network).

    Returns
    -------
    header : dict
    arrays : dict of str to ndarray

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    ValueError
        For anything else that is not a well-formed model archive.
    """
    path = os.fspath(path)
    try:
        with _open_file(path) as file:
            return _read_checked(file, check_sizes)
    except FileNotFoundError:       # no file is said as such, not as a bad file
        raise
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError,
            EOFError, RecursionError, MemoryError,
            NotImplementedError, RuntimeError) as exc:  # zipfile: odd compression, encryption
        raise ValueError(f"{path} is not an skscratch model file: {exc}") from exc
    except ValueError as exc:   # object arrays refused by allow_pickle=False, and the checks
        raise ValueError(f"{path} is not a safe skscratch model file: {exc}") from exc


def _open_file(path):
    """The one handle every check and read of the model file at ``path`` goes through.

    Anything but a regular file counts as no model file. Opening does not
    wait (a FIFO would block until written to); the flag changes nothing
    for a regular file.
    """
    try:
        handle = os.open(path, os.O_RDONLY | _BINARY | getattr(os, "O_NONBLOCK", 0))
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise FileNotFoundError(f"No model file at {path}.") from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise FileNotFoundError(f"No model file at {path}.")
    return os.fdopen(handle, "rb")


def _read_checked(file, check_sizes):
    """``(header, arrays)`` of the open model ``file``, checked as :func:`read_archive` says."""
    if not zipfile.is_zipfile(file):
        raise zipfile.BadZipFile("not an .npz archive")
    with zipfile.ZipFile(file) as archive:
        members = _check_directory(archive)
        raw = {"header": _read_member(archive, "header.npy")}      # the header alone first
        header = json.loads(bytes(expect(raw, "header", np.uint8, ndim=1)).decode())
        if not isinstance(header, dict):
            raise ValueError("its header is not a JSON object")
        if check_sizes is not None:
            check_sizes(header, {m.filename[:-4]: m.file_size for m in members})
        arrays = {m.filename[:-4]: _read_member(archive, m) for m in members}
    return header, arrays


def _read_member(archive, member):
    """A member's array, never unpickled (its ``.npy`` header is checked already)."""
    with archive.open(member) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def _check_directory(archive):
    """Names and declared sizes of the members, from the zip directory alone."""
    members = archive.infolist()
    names = [m.filename for m in members]
    unknown = sorted(n for n in names if not MEMBER.fullmatch(n))
    if unknown:
        raise ValueError(f"Unexpected arrays in the model file: {unknown[:5]}")
    if len(set(names)) != len(names):
        raise ValueError("a member is stored twice")
    if "header.npy" not in names:
        raise ValueError("the model file lacks the array 'header'")
    for prefix in ("weight.", "moment."):      # numbered 0, 1, 2... without gaps
        numbers = sorted(int(n[len(prefix):-4]) for n in names if n.startswith(prefix))
        missing = sorted(set(range(len(numbers))) - set(numbers))
        if missing:
            raise ValueError(f"its {prefix[:-1]} arrays are numbered {numbers[:10]}: the model "
                             f"file lacks the array '{prefix}{missing[0]}'")
    total = sum(m.file_size for m in members)
    header = next(m for m in members if m.filename == "header.npy")
    if total > MAX_ARCHIVE_BYTES or header.file_size > MAX_HEADER_BYTES:
        raise ValueError(f"its members would decompress to {total:,} bytes; the limit is "
                         f"{MAX_ARCHIVE_BYTES:,} ({MAX_HEADER_BYTES:,} for the header)")
    for member in members:
        _check_array_header(archive, member)
    return members


def _check_array_header(archive, member):
    """The shape and dtype a member's ``.npy`` header declares must fill its declared size.

    NumPy allocates an array of the declared shape before reading its data: a
    forged header (a (30000, 30000) array in a 256-byte member) would
    allocate 7 GiB before the data ran out. Only the header's first bytes are
    decompressed here.
    """
    with archive.open(member) as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"member {member.filename} has .npy format version {version}")
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read(f)
        if dtype.hasobject:
            raise ValueError(f"member {member.filename} holds Python objects (pickle)")
        size = f.tell() + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if any(d < 0 for d in shape) or size != member.file_size:
        raise ValueError(f"member {member.filename} declares an array of shape {shape} and "
                         f"dtype {dtype} in {member.file_size:,} bytes")


def expect(arrays, name, dtype=None, shape=None, ndim=None, kinds=None):
    """The array ``name``, checked for presence, dtype (or dtype kinds) and shape.

    Parameters
    ----------
    arrays : dict of str to ndarray
    name : str
    dtype : numpy dtype, optional
    shape : tuple of int, optional
    ndim : int, optional
    kinds : str, optional
        Allowed dtype kinds (``"iubfU"``).

    Returns
    -------
    array : ndarray
    """
    if name not in arrays:
        raise ValueError(f"The model file lacks the array {name!r}.")
    a = arrays[name]
    if (dtype is not None and a.dtype != np.dtype(dtype)) or (
            kinds is not None and a.dtype.kind not in kinds):
        raise ValueError(f"Array {name!r} has dtype {a.dtype}; expected "
                         f"{dtype if dtype is not None else 'kind in ' + kinds}.")
    if (shape is not None and a.shape != tuple(shape)) or (ndim is not None and a.ndim != ndim):
        expected = tuple(shape) if shape is not None else f"{ndim} dimension(s)"
        raise ValueError(f"Array {name!r} has shape {a.shape}; expected {expected}.")
    return a


def allowed(table, name, what):
    """``table[name]`` for a name from a file; ValueError naming the choices otherwise."""
    if not isinstance(name, str) or name not in table:
        raise ValueError(f"Unknown {what} {name!r} in the model file; expected one of "
                         f"{sorted(table)}.")
    return table[name]


def plain(values, name):
    """``values`` as an array of numbers or strings (never objects, which need pickle)."""
    values = np.asarray(values)
    if values.dtype.kind == "O":
        kinds = {type(v) for v in values}
        values = values.astype(str) if kinds <= {str} else values
        if values.dtype.kind == "O":
            raise TypeError(f"{name} holds Python objects; only numbers and strings can be "
                            "saved without pickle.")
    if values.dtype.kind not in "iubfU":
        raise TypeError(f"{name} of dtype {values.dtype} cannot be saved: a model file holds "
                        "numbers and strings only (encode dates as strings or numbers).")
    return values


def jsonable(value):
    """Tuples and NumPy scalars/arrays to JSON types, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# suffixes of the HDF5 files Keras writes: skscratch never writes that format
HDF5_SUFFIXES = (".h5", ".hdf5", ".keras.h5")


def check_not_hdf5(path, save_format=None):
    """Refuse a path (or Keras ``save_format``) asking for a format skscratch does not write.

    skscratch writes its own archive (``.npz``: arrays and a JSON header),
    whatever the path's suffix, so a Keras path ending in ``.h5`` would hold a
    file no HDF5 reader opens: a clear ValueError instead.
    """
    name = os.fspath(path)
    if save_format not in (None, "skscratch", "npz"):
        raise ValueError(f"save_format={save_format!r}: skscratch writes its own format only "
                         "(an .npz archive of arrays and a JSON header, read back by "
                         "skscratch.load or load_weights); leave save_format unset.")
    if isinstance(name, str) and name.lower().endswith(HDF5_SUFFIXES):
        raise ValueError(f"{name!r} names an HDF5 file, which skscratch does not write: its "
                         "files are .npz archives of arrays and a JSON header (read back by "
                         "skscratch.load or load_weights). Use a path ending in .npz.")
    return name
