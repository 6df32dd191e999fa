"""Boilerplate rules for flattened page text, as data: patterns, phrase lists and thresholds.

Each pattern group carries the short, stable rule name that a removed ``Block`` records. The cleaner
in ``corpus/clean_text.py`` applies them; nothing here runs on its own. Patterns are matched against
one block (a line or an unwrapped paragraph) with its whitespace collapsed.
"""

from __future__ import annotations

import re

import attrs

_I = re.IGNORECASE | re.UNICODE


@attrs.frozen
class TextCleanOptions:
    """Thresholds for ``clean_text``; every number the cleaner compares against lives here."""

    #: A block with at least this many words, enough stopwords or a sentence end, reads as prose.
    prose_words: int = 10
    #: Share of stopwords above which a block of ``prose_words`` words reads as running text.
    prose_stopword_ratio: float = 0.12
    #: A sentence-like block (ends in . ! ? : ...) with at least this many words counts as text.
    sentence_words: int = 5
    #: Blocks with at most this many words are "short" (headings, menu items, labels).
    short_words: int = 4
    #: Phrase patterns ("contains") only fire on blocks up to this many words, so that an article
    #: paragraph that merely mentions a newsletter or a cookie is never removed.
    phrase_max_words: int = 40
    #: ... except the rules in ``LONG_PHRASE_RULES``, whose phrases are specific enough for long blocks.
    long_phrase_max_words: int = 150
    #: Region search: the weight of a short block and of a block removed by a pattern rule.
    short_weight: float = -2.5
    #: Region search: the weight of a long line that does not end like a sentence (often a headline).
    headline_weight: float = 0.0
    rule_weight: float = -8.0
    end_marker_weight: float = -120.0
    #: ... but no more than this many times the words of prose above it (so one near the top is mild).
    end_marker_ramp: float = 0.5
    #: Region search: a short block repeated this often in the page is a listing label ("Read more").
    repeat_count: int = 3
    repeat_weight: float = -6.0
    #: Words of prose the article must have before a comment marker counts as the comment section.
    comment_min_article_words: int = 40
    #: A run of at least this many short blocks with no sentence among them is a menu.
    menu_run: int = 4
    #: Maximum words of a title candidate.
    title_max_words: int = 40
    #: The title search stops at the first prose block of at least this many words.
    title_stop_words: int = 15
    #: How many blocks from the top the title is looked for in.
    title_window: int = 12
    #: Blank-line-free lines at most this long (and mostly near it) mark hard-wrapped text.
    wrap_max_width: int = 100


DEFAULT_OPTIONS = TextCleanOptions()

#: Common function words; their density tells running text from menus and lists.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about after all also an and any are as at be been before but by can could did do does
    for from had has have he her his how i if in into is it its just may me more most my no
    not of on one only or other our out over said she should so some such than that the their
    them then there these they this those through to up us very was we were what when where
    which while who will with would you your
    aber als am an auch auf aus bei bis das dass dem den der des die doch ein eine einem einen
    einer es für hat ich ihr im in ist mit nach nicht noch nur oder sein sich sie sind so und
    uns von vor war was wie wir wird zu zum zur über
    au aux avec ce ces dans de des du elle en est et il ils je la le les leur lui mais me même
    ne nous on ou par pas pour qu que qui sa se ses son sont sur un une vous été être
    al como con del el ella en era es está este esta ha la las lo los más no nos o para pero
    por que se sin su sus también un una y ya
    а без бы был была были в вы для до его её если же за и из или их к как мы на не но о
    об от по при с со так то у что это я он она они
    """.split()
)

#: Characters that end a sentence (closing quotes and brackets are stripped before the check).
SENTENCE_END = ".!?:;…"
CLOSERS = "\"'”’»)]*"
#: A sentence boundary inside a block: end punctuation, space, then a capital or a digit.
SENTENCE_BREAK = re.compile(r"[.!?…][\"”’)]?\s+[\"“‘(]?[A-ZÀ-ÖØ-ÞА-ЯЁ0-9]")


def _any(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern that matches any of ``patterns``."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), _I)


def _phrases(*phrases: str) -> tuple[str, ...]:
    """Phrases in natural spelling; they are compared as ``shape_key``s (see below)."""
    return phrases


#: Whole-block rules: the whole block (its ``shape_key``: lower-case words, digits as "#") must
#: be one of the phrases. Looked up in a dict, so hundreds of phrases cost one hash.
WHOLE_BLOCK_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "navigation",
        _phrases(
            "skip to content", "skip to main content", "skip to the content", "skip to main", "skip to navigation",
            "skip to footer", "skip to primary sidebar", "skip to the main content", "jump to content",
            "navigation", "menu", "nav", "main menu", "toggle navigation", "open menu", "close menu", "mobile menu",
            "open navigation menu", "navigation menu", "primary menu", "main navigation", "toggle menu", "menu close",
            "search", "search for", "search this site", "search the site", "search search", "site search", "search button",
            "home", "home page", "homepage", "start", "log in", "login", "log out", "logout", "sign in", "sign up",
            "signin", "signup", "sign in join", "register", "my account", "account", "cart", "basket", "checkout",
            "shop", "store", "subscribe now", "join now", "join now sign in", "back to top", "go to top", "to top",
            "top", "scroll to top", "scroll back to top", "back to home", "return to top", "next", "previous", "prev",
            "page # of #", "# of #", "page", "pages", "older", "newer", "read more", "view more", "see more",
            "show more", "load more", "learn more", "view all", "see all", "show all", "read full article",
            "read full story", "continue reading", "click here", "more", "less", "now reading", "you are here",
            "breadcrumb", "breadcrumbs", "jump to", "jump to section", "table of contents", "contents",
            "in this article", "close", "open", "toggle", "expand", "collapse", "go", "ok", "cancel", "submit",
            "send", "loading", "advertisement", "advertising", "sponsored", "ad", "ads", "anzeige", "werbung",
            "publicité", "publicidad", "реклама", "startseite", "accueil", "inicio", "главная", "suche",
            "rechercher", "buscar", "поиск", "menü", "меню", "weiterlesen", "mehr lesen", "lire la suite",
            "en savoir plus", "leer más", "seguir leyendo", "читать далее", "подробнее", "x", "×", "esc",
            "show more show less", "open in a new tab", "opens in a new window", "read more read less",
        ),
    ),
    (
        "post-navigation",
        _phrases(
            "next post", "previous post", "prev post", "older post", "newer post", "next article",
            "previous article", "next story", "previous story", "next entry", "previous entry", "older posts",
            "newer posts", "post navigation", "posts navigation", "article navigation", "back to blog",
            "back to news", "back to all posts", "back to articles", "all posts",
        ),
    ),
    (
        "author-bio",
        _phrases(
            "about the author", "about the authors", "about the writer", "about the reviewer", "meet the author",
            "about the contributor", "about the contributors", "about the expert", "written by", "author", "by",
            "view author page", "author page", "author profile",
            "authors", "contributor", "contributors", "über den autor", "über die autorin", "à propos de l'auteur",
            "sobre el autor", "sobre la autora", "об авторе",
        ),
    ),
    (
        "share-prompt",
        _phrases(
            "share", "share this", "share this article", "share this post", "share this story", "share this page",
            "share article", "share post", "share story", "share on", "share via", "share it", "share this content",
            "facebook", "twitter", "x", "linkedin", "whatsapp", "pinterest", "reddit", "email", "e mail", "print",
            "telegram", "instagram", "youtube", "tiktok", "threads", "bluesky", "mastodon", "flipboard", "pocket",
            "tumblr", "rss", "vk", "copy link", "copy url", "link copied", "tweet", "pin it", "pin", "save",
            "save story", "save this story", "print this", "like", "likes", "follow", "following", "follow us",
            "report this article", "report", "comment", "teilen", "partager", "compartir", "поделиться",
            "drucken", "imprimer", "imprimir", "печать", "like this", "like loading", "related",
            "facebook twitter", "facebook twitter email", "facebook twitter linkedin", "twitter facebook",
        ),
    ),
    (
        "comment-section",
        _phrases(
            "# comments", "# comment", "# responses", "# response", "# replies", "# reactions", "no comments",
            "one comment", "one response", "one reply", "one thought", "no responses", "# comments so far",
            "comments", "comment section", "discussion", "reader comments", "responses", "replies",
            "view comments", "view comments #", "view # comments", "view all comments", "view all # comments",
            "show comments", "show comments #", "show # comments", "load comments", "read comments",
            "see comments", "hide comments", "open comments", "display comments", "comments #", "# comments #",
            "join the discussion", "join the conversation", "comments are closed", "comments closed",
            "discussion about this post", "comments restacks", "top comments", "newest comments",
            "kommentare", "# kommentare", "kommentar", "commentaires", "# commentaires", "comentarios",
            "# comentarios", "комментарии", "# комментариев", "# комментария", "# комментарий",
        ),
    ),
    (
        "related-teaser",
        _phrases(
            "see also", "read also", "also read", "read next", "up next", "what to read next", "related",
            "related articles", "related posts", "related stories", "related news", "related content",
            "related reading", "related links", "related topics", "related pages", "related resources",
            "related reads", "related guides", "related videos", "similar articles", "similar posts",
            "recommended", "recommended articles", "recommended for you", "recommended posts", "recommend posts",
            "recommended reading", "popular posts", "popular articles", "popular stories", "recent posts",
            "recent articles", "recent stories", "latest posts", "latest articles", "latest news",
            "latest stories", "trending", "trending now", "trending stories", "trending articles",
            "more stories", "more articles", "more posts", "more news", "more to read", "more reading",
            "more like this", "top stories", "top articles", "other articles", "other posts", "other stories",
            "featured articles", "featured posts", "featured stories", "editor's picks", "editors picks",
            "editor's pick", "most read", "most popular", "most viewed", "you may also like", "you might also like",
            "you may like", "you might like", "you will also like", "you may also enjoy", "you might also enjoy",
            "you may also be interested in", "you might also be interested in", "you may be interested in",
            "don't miss", "dont miss", "in case you missed it", "other posts you'll love", "keep reading",
            "further reading", "read more articles", "more perspectives", "also in the news", "related articles on",
            "you may like to read", "explore more", "explore related topics",
            "siehe auch", "lesen sie auch", "das könnte sie auch interessieren", "mehr zum thema", "voir aussi",
            "à lire aussi", "lire aussi", "ver también", "te puede interesar", "lee también", "читайте также",
            "см также", "похожие статьи", "похожие новости", "похожие материалы",
        ),
    ),
    (
        "form-field",
        _phrases("name", "email address", "e mail address", "website", "indicates required", "your name",
                 "your email", "first name", "last name"),
    ),
    (
        "footer",
        _phrases(
            "about us", "contact us", "contact", "sitemap", "site map", "imprint", "impressum", "datenschutz",
            "disclaimer", "accessibility", "careers", "advertise", "advertise with us", "faq", "help", "support",
            "legal", "mentions légales", "aviso legal", "политика конфиденциальности", "privacy", "terms",
        ),
    ),
    (
        "read-time",
        _phrases("# min read", "# mins read", "# minute read", "# minutes read", "# min", "# mins", "# minutes",
                 "min read", "# min reading time", "reading time"),
    ),
    (
        "tag-list",
        _phrases(
            "tags", "tag", "tagged", "tagged with", "topics", "topic", "categories", "category", "filed under",
            "keywords", "labels", "popular tags", "schlagwörter", "étiquettes", "etiquetas", "теги", "метки",
        ),
    ),
)

#: Whole-block prefixes: the block's shape starts with one of these and is short (a heading
#: followed by a name: "More from Jane Doe", "12 thoughts on <title>", "Next post: <title>").
WHOLE_BLOCK_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("post-navigation", _phrases("next post", "previous post", "older post", "newer post", "next article",
                                 "previous article", "next story", "previous story")),
    ("author-bio", _phrases("text by", "words by", "more articles by", "more posts by", "more stories by",
                            "view all posts by",
                            "all posts by", "more from this author", "see all articles by", "about the author")),
    ("comment-section", _phrases("# thoughts on", "# responses to", "# comments on", "# replies to",
                                 "one thought on", "one response to", "# thought on")),
    ("related-teaser", _phrases("more from", "more in", "more on", "related articles", "recently by")),
)


def shape_key(text: str) -> str:
    """A block's shape: lower-case words joined by single spaces, each digit run written "#".

    "#" in a phrase stands for any number, so "view comments #" matches "View Comments (3)".
    """
    return " ".join(_DIGITS.sub("#", word) for word in _SHAPE_WORD.findall(text.lower()))


#: A token for counting words.
WORD = re.compile(r"\w+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_SHAPE_WORD = re.compile(r"#|\w+", re.UNICODE)

#: ``WHOLE_BLOCK_PHRASES`` as one dict from shape to rule name (the first rule listing a phrase wins).
WHOLE_BLOCK_RULES: dict[str, str] = {}
for _name, _list in WHOLE_BLOCK_PHRASES:
    for _phrase in _list:
        WHOLE_BLOCK_RULES.setdefault(shape_key(_phrase), _name)
#: ``WHOLE_BLOCK_PREFIXES`` with each prefix in shape form (a trailing space so words match whole).
WHOLE_BLOCK_PREFIX_RULES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, tuple(shape_key(p) + " " for p in prefixes)) for name, prefixes in WHOLE_BLOCK_PREFIXES
)

#: Phrase rules: the pattern may occur anywhere in a block of at most ``phrase_max_words`` words.
#: Each carries lower-case trigger words; its pattern only runs on blocks that contain one of them.
PHRASE_RULES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "comment-form",
        (
            "email", "mail", "akismet", "required", "comment", "comments", "reply", "response", "notify", "adresse",
            "dirección", "réponse", "respuesta", "kommentar", "commentaire", "comentario", "комментарий", "ответ", "адрес",
        ),
        _any(
            r"your email address will not be published", r"required fields are marked",
            r"this site uses akismet", r"save my name,? email", r"notify me of (?:follow-up comments|new (?:posts|comments))",
            r"you must be (?:logged in|registered) to post a comment",
            r"^(?:leave|post|add|write|submit) a (?:reply|comment|response)",
            r"^cancel reply$", r"^post comment$", r"learn how your comment data is processed",
            r"ihre e-mail-adresse wird nicht veröffentlicht", r"^(?:schreibe|hinterlasse) einen kommentar",
            r"^kommentar (?:schreiben|verfassen|hinterlassen)",
            r"votre adresse (?:e-mail|email|de messagerie) ne sera pas publiée", r"^laisser un commentaire",
            r"^(?:laisser|écrire) une réponse", r"tu dirección de correo electrónico no será publicada",
            r"^deja (?:un|una) (?:comentario|respuesta)", r"ваш адрес email не будет опубликован",
            r"^(?:оставить|добавить|написать) (?:комментарий|ответ)",
        ),
    ),
    (
        "share-prompt",
        ("%d", "bloggers", "click", "share", "follow"),
        _any(
            r"%d bloggers like this", r"click to (?:share|print|email)", r"share (?:this|on) (?:facebook|twitter|linkedin)",
            r"^share (?:this|the) (?:article|post|story|page)", r"^follow us on ", r"^share on ",
        ),
    ),
    (
        "subscribe",
        (
            "subscribe", "subscribed", "subscriber", "subscribers", "subscription", "subscriptions", "subscribing",
            "newsletter", "newsletters", "sign", "enter", "discover", "archive", "inbox", "unsubscribe", "abonnieren",
            "abonnez", "suscríbete", "suscribete", "подпишитесь", "подписаться",
        ),
        _any(
            r"\bsubscribe\b", r"\bnewsletters?\b", r"\bsign up (?:for|to|now|today)\b", r"enter your e-?mail",
            r"discover more from ", r"get access to the full archive", r"join \d[\d,]* other subscribers",
            r"in your inbox", r"\bunsubscribe\b",
            r"\babonnieren\b", r"\babonnez-vous\b", r"\bsuscr[ií]bete\b", r"подпи(?:шитесь|саться)",
        ),
    ),
    (
        "cookie-notice",
        ("cookie", "cookies", "continuing"),
        _any(
            r"\bcookies?\b.{0,80}\b(?:accept|consent|use|uses|policy|settings|preferences|experience)\b",
            r"\b(?:accept|reject|allow) (?:all )?cookies\b", r"\bby continuing to (?:use|browse)\b",
        ),
    ),
    (
        "copyright",
        ("©", "(c)", "copyright", "reserved", "vorbehalten", "réservés", "reservados", "защищены"),
        _any(
            r"©", r"\(c\)\s*\d{4}", r"\bcopyright\b", r"all rights reserved", r"alle rechte vorbehalten",
            r"tous droits réservés", r"todos los derechos reservados", r"все права защищены",
        ),
    ),
    (
        "donation-appeal",
        (
            "donate", "donation", "donations", "donating", "patreon", "subscribe", "subscription", "patron", "member",
            "supporter", "alive", "need", "reader", "spenden", "faire", "donación", "пожертвование", "пожертвования",
            "пожертвовать",
        ),
        _any(
            r"\bto donate\b", r"\bdonate (?:now|today|here)\b", r"\bmak(?:e|ing) a donation\b",
            r"\bconsider (?:a )?donat",
            r"\bsupport (?:our|us)(?: work| journalism| mission)?\b.{0,40}\b(?:donat|patreon|subscri)",
            r"\bbecome a (?:patron|member|supporter)\b",
            r"\bkept alive by (?:our )?readers?'? (?:donations|support)",
            r"\bwe need your (?:help|support) to keep\b", r"\breader-supported\b",
            r"jetzt spenden", r"faire un don", r"haz una donación",
            r"пожертвова",
        ),
    ),
    (
        "image-caption",
        (
            "photo", "photos", "image", "images", "picture", "pictures", "photograph", "credit", "source", "foto", "fotos",
            "bild", "quelle", "фото", "courtesy", "getty", "shutterstock", "istock", "istockphoto", "alamy", "unsplash",
            "pexels", "stock", "pictured",
        ),
        _any(
            r"\((?:[^()]{0,60} )?(?:photos?|images?|pictures?|photographs?|fotos?|bild|credit)"
            r"(?: courtesy(?: of)?| by| credit|:| via| from)[^()]*\)\s*$",
            r"^(?:photo|image|picture|credit|photo credit|image credit|source|foto|bild|quelle|фото|crédit photo)"
            r"(?: courtesy of| by| credit)?\s*:", r"^courtesy of\b", r"\bcourtesy of (?:the )?brand\b",
            r"\b(?:getty images|shutterstock|istock(?:photo)?|alamy|unsplash|pexels|adobe stock)\b",
            r"\b(?:ap|afp|reuters|epa|dpa) photo\b", r"^\(?(?:photo|image|pictured)[:)]",
        ),
    ),
    (
        "footer",
        ("privacy", "terms", "powered", "cookie", "sell"),
        _any(
            r"\bprivacy policy\b", r"\bterms (?:of|and) (?:use|service|conditions)\b", r"\bpowered by\b",
            r"\bcookie policy\b", r"\bdo not sell my\b",
        ),
    ),
    (
        "widget",
        ("gadget", "javascript", "browser", "error"),
        _any(
            r"the gadget spec url could not be found", r"please enable javascript", r"javascript (?:is )?(?:disabled|required)",
            r"your browser does not support", r"^there was an error\b",
        ),
    ),
)

#: Phrase rules specific enough to remove a long block (a donation appeal runs to a paragraph).
LONG_PHRASE_RULES: frozenset[str] = frozenset({"donation-appeal", "comment-form"})

#: Rules for furniture that sits inside articles (captions, bylines): weighed like a short line.
SOFT_RULES: frozenset[str] = frozenset({"image-caption", "read-time", "share-prompt"})

#: Which phrase rules each trigger word wakes (a block's words are looked up; no regex scan).
TRIGGER_WORDS: dict[str, tuple[int, ...]] = {}
for _index, (_, _words, _) in enumerate(PHRASE_RULES):
    for _word in _words:
        TRIGGER_WORDS[_word] = (*TRIGGER_WORDS.get(_word, ()), _index)
#: Triggers that are not words (symbols), checked as substrings.
TRIGGER_SYMBOLS: tuple[tuple[str, int], ...] = tuple(
    (word, index) for index, (_, words, _) in enumerate(PHRASE_RULES) for word in words if not WORD.fullmatch(word)
)


#: Headings that end the article when they follow it (related links, the author's bio, comments):
#: in the region search they weigh ``end_marker_weight``, so only a long run of prose bridges them.
END_MARKER_RULES: frozenset[str] = frozenset(
    {"related-teaser", "author-bio", "comment-section", "comment-form", "post-navigation"}
)

#: Rules whose marker also removes the run of short teaser blocks that follows it.
TEASER_RULES: frozenset[str] = frozenset({"related-teaser"})

#: Words of an author's bio ("Jane is a writer and editor; her work ..."), one of which must occur.
BIO_WORDS: frozenset[str] = frozenset(
    """
    he she his her him i my writer writes writing editor author journalist blogger contributor columnist
    reporter freelance founder co cofounder ceo manager specialist marketer marketing content consultant
    strategist correspondent
    """.split()
)

#: Signs of a single reader comment: "Jane says:", "Reply", "March 3, 2020 at 5:12 pm".
COMMENT_SIGN = _any(
    r"^\S.{0,60}\b(?:says|writes|wrote|sagt|schreibt|dit|écrit|dice|escribe|пишет|говорит):?$",
    r"^\S.{0,80}\bwrites: .{0,80}$", r"^reply(?: ↓| to this.*)?$", r"^(?:antworten|répondre|responder|ответить)$",
    r"^\d+ (?:likes?|points?|upvotes?)$", r"^(?:log in|sign in) to reply$", r"\(score: \d", r"^re: ",
    r"^.{0,60}\b\d{1,2}:\d{2}\s*(?:am|pm)?$", r"^\S.{0,60} (?:at|um|à|a las|в) \d{1,2}:\d{2}\s*(?:am|pm)?$",
    r"^(?:\d+ )?(?:minutes?|hours?|days?|weeks?|months?|years?) ago$", r"^\d+\s?(?:[smhdwy]|min|mins|hrs?)$",
    r"^liked by ", r"^expand full comment$", r"^\d+ repl(?:y|ies)\b", r"^(?:view|show|hide) \d* ?repl(?:y|ies)",
)

#: Words one of which a comment sign without a colon must contain (a cheap test before the pattern).
COMMENT_SIGN_HINT = re.compile(r"repl|ago|antwort|répond|respond|ответ|like|point|upvote|re:|comment|^\d+\s?[a-z]{1,4}$")

#: A breadcrumb trail: two or more short segments joined by ">", "»", "›" or "/".
BREADCRUMB = re.compile(
    r"^(?:[^>»›\n]{1,60}\s[>»›]\s*){1,8}(?:[^>»›\n]{0,120})$|^(?:home|start)\s*[/|]\s*.{0,160}$", _I
)

#: A line of menu links joined by "|" or "•" ("About | Contact | Privacy").
PIPE_LINKS = re.compile(r"^(?:[^|•·]{1,40}\s[|•·]\s){2,}[^|•·]{1,40}$")

#: A tag list: at least three short comma-separated items and no sentence punctuation.
TAG_ITEMS = re.compile(r"^(?:[^,.;:!?]{1,40},\s*){2,}[^,.;:!?]{1,40}$")

#: Leading list markers and trailing colons ignored when matching whole-block rules.
MARKER_STRIP = re.compile(r"^[\s•·*–—\-+>|#]+|[\s:|»›→>]+$")

#: A URL or e-mail address, whose presence makes a short block link-like.
# The e-mail part is bounded ([^\s@]{1,64}) so a long unbroken run of characters cannot make it quadratic.
LINKISH = re.compile(r"https?://|www\.|[^\s@]{1,64}@[^\s@]{1,253}\.\w+|\.(?:com|org|net|html?)\b", _I)
