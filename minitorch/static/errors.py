"""Errors of static mode, and where in the user's code they come from."""
import traceback


class StaticError(RuntimeError):
    """Something static graphs cannot do, or a graph used wrongly; the message says what to do."""


def user_line():
    """'file.py:12 (fn)' for the innermost frame outside minitorch (the user's code), or ''."""
    for frame in reversed(traceback.extract_stack()):
        path = frame.filename.replace('\\', '/')
        if '/minitorch/' not in path and not path.endswith('/threading.py'):
            where = f'{frame.filename}:{frame.lineno} ({frame.name})'
            return f'{where}: {frame.line}' if frame.line else where
    return ''


def at_user_line():
    """' at <user_line()>' for an error message, or '' when no frame is the user's."""
    line = user_line()
    return f' at {line}' if line else ''
