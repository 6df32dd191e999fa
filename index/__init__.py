"""Search: the whoosh schema, writer, queries and snippets (whoosh stays inside this package).

Importing the package first takes three start-up costs of whoosh-reloaded off every process
(see index/whoosh_startup.py).
"""

from index import whoosh_startup

whoosh_startup.install()
