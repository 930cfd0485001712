"""The HTML reports: one self-contained file each, for a browser.

:mod:`.page` is the page both share (style, script, security policy,
escaping, outputs with their violations marked), :mod:`.session` the report
of one pytest session (``--contracts-html``), :mod:`.registry` the page of a
team's registry (``pytest-contracts html OUT``). No pytest here.
"""
