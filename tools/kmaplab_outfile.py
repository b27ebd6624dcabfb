# SPDX-License-Identifier: MIT
"""The one way kmaplab's Python tools write a file the user named: the same
rules as emu/outfile.c (docs/cli.md, "Output files").

A regular file (new or existing) is written to a uniquely named temporary
file in the target's own directory and renamed over the target when it is
complete, so a failed write leaves the old file whole and two writers of one
path each leave a whole file (the last wins).  A symbolic link is followed
(its target gets the file, the link stays); a device or a FIFO is written
directly; a directory or a socket is refused."""
import errno
import os
import stat
import tempfile

MAX_LINK_HOPS = 40  # as many as one kernel path lookup follows (MAXSYMLINKS)


class OutfileError(OSError):
    """A file could not be written; str() is one line naming the path and the cause."""


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _umask()  # read once, at import, before any thread starts


def follow_links(path):
    """Where a chain of symbolic links at path ends (path itself if it is no
    link or does not exist); a dangling link ends at the name it points to."""
    cur = path
    for _ in range(MAX_LINK_HOPS):
        try:
            if not stat.S_ISLNK(os.lstat(cur).st_mode):
                return cur
        except FileNotFoundError:
            return cur
        link = os.readlink(cur)
        cur = link if os.path.isabs(link) else os.path.join(os.path.dirname(cur), link)
    raise OutfileError(errno.ELOOP, 'too many levels of symbolic links', path)


def _target(path):
    """The file path names (symlinks followed) and its stat, None if it does
    not exist yet; raises OutfileError for what is never written (a
    directory, a socket) or cannot be looked at."""
    target = follow_links(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target, None
    except OSError as e:
        raise OutfileError(e.errno, e.strerror, path) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutfileError(errno.EISDIR, 'is a directory', path)
    if stat.S_ISSOCK(st.st_mode):
        raise OutfileError(errno.EOPNOTSUPP, 'is a socket', path)
    return target, st


def check_writable(path):
    """Raises OutfileError if write_file(path, ...) would be refused or
    could not create its file: checked before any work is done."""
    target, st = _target(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not os.access(target, os.W_OK):
            raise OutfileError(errno.EACCES, 'not writable', path)
        return
    d = os.path.dirname(target) or '.'
    if not os.path.isdir(d):
        raise OutfileError(errno.ENOENT, 'no such directory %s' % d, path)
    if not os.access(d, os.W_OK | os.X_OK):
        raise OutfileError(errno.EACCES, 'cannot create files in %s' % d, path)


def write_file(path, data):
    """Writes data (str: UTF-8 with '\\n' line ends, or bytes) to path."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    target, st = _target(path)
    try:
        if st is not None and not stat.S_ISREG(st.st_mode):
            # A device or a FIFO: write into it, never replace the node.
            fd = os.open(target, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            return
        d, base = os.path.split(target)
        fd, tmp = tempfile.mkstemp(prefix='.' + base[:200] + '.', suffix='.tmp', dir=d or '.')
    except OSError as e:
        raise OutfileError(e.errno, e.strerror, path) from None
    try:
        try:
            if st is not None:  # a replaced file keeps its permissions (and, for root, its owner)
                try:
                    os.fchown(fd, st.st_uid, st.st_gid)
                except OSError:
                    pass
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
            else:
                os.fchmod(fd, 0o666 & ~UMASK)
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutfileError(e.errno, e.strerror, path) from None


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
