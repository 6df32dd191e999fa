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
    #: Region search: the weight of a short block and of a block removed by a pattern rule.
    short_weight: float = -2.5
    #: Region search: the weight of a long line that does not end like a sentence (often a headline).
    headline_weight: float = 0.0
    rule_weight: float = -6.0
    #: Words of prose the article must have before a comment marker counts as the comment section.
    comment_min_article_words: int = 40
    #: A run of at least this many short blocks with no sentence among them is a menu.
    menu_run: int = 4
    #: Maximum words of a title candidate.
    title_max_words: int = 40
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


def _literals(*words: str) -> re.Pattern[str]:
    """A fast pre-check: any of the lower-case literal ``words`` occurs in a lower-cased block."""
    return re.compile("|".join(re.escape(word) for word in words))


#: Whole-block rules: the block, stripped of bullets and trailing colons, must match entirely.
WHOLE_BLOCK_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "navigation",
        _any(
            r"skip to (?:the )?(?:main )?(?:content|navigation|main|primary sidebar|footer)",
            r"(?:toggle|open|close|main|mobile)? ?(?:navigation|menu|nav)(?: menu)?",
            r"search(?: for| this site| the site)?(?: \.\.\.)?",
            r"search search", r"home(?: page)?", r"start", r"log ?in|log ?out|sign ?in|sign ?up|sign in / join",
            r"register|my account|account|cart|basket|checkout|shop|store|subscribe now",
            r"join now(?: sign in)?",
            r"(?:back|go|return) to (?:top|home|homepage)|scroll (?:to|back to) top|top|to top",
            r"next|previous|prev|next post|previous post|next article|previous article|next story",
            r"post navigation|posts navigation|article navigation|older posts|newer posts",
            r"page \d+ of \d+|\d+ of \d+|pages?|« ?(?:older|newer|previous|prev)|(?:next|more) ?»",
            r"(?:read|view|see|show|load|learn) (?:more|all|full (?:article|story))(?: [»›→>])?",
            r"continue reading(?: [»›→>])?|keep reading|click here|more|less|menu close",
            r"now reading|you are here|breadcrumbs?|jump to(?: section)?|table of contents|contents|in this article",
            r"close|open|toggle|expand|collapse|go|ok|cancel|submit|send|loading(?:\.\.\.)?",
            r"advertisement|advertising|sponsored|ad|ads|anzeige|werbung|publicité|publicidad|реклама",
            r"startseite|accueil|inicio|главная|suche|rechercher|buscar|поиск|menü|меню",
            r"weiterlesen|mehr lesen|lire la suite|en savoir plus|leer más|seguir leyendo|читать далее|подробнее",
        ),
    ),
    (
        "share-prompt",
        _any(
            r"share(?: this)?(?: article| post| story| page)?(?: on| via)?",
            r"(?:share|post|tweet) (?:on|to|via) (?:facebook|twitter|x|linkedin|whatsapp|email|reddit|pinterest|telegram)",
            r"(?:facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|email|e-mail|print|telegram|"
            r"instagram|youtube|tiktok|threads|bluesky|mastodon|flipboard|pocket|tumblr|rss|vk|copy link|"
            r"copy url|link copied|tweet|pin it|pin|save|save story|save this story|print this|"
            r"like|likes|follow|\+ follow|following|report this article|report|comment)",
            r"(?:teilen|partager|compartir|поделиться|drucken|imprimer|imprimir|печать)",
            r"like this:?|like loading\.\.\.|loading\.\.\.|related",
        ),
    ),
    (
        "comment-section",
        _any(
            r"(?:\d+|no|one|two|three) (?:comments?|responses?|replies|reactions?)(?: so far)?(?: \(\d+\))?",
            r"(?:view|show|load|read|see|hide|open|display)(?: all)?(?: \d+)? (?:comments?|replies|responses)(?: \(\d+\))?",
            r"comments?(?: \(\d+\))?|comment section|discussion|reader comments|responses|replies",
            r"(?:\d+|one|two|three) (?:thoughts?|responses?|comments?|replies) (?:on|to) .{1,200}",
            r"join the (?:discussion|conversation)|comments are closed\.?|comments closed",
            r"(?:\d+ )?kommentare?|(?:\d+ )?commentaires?|(?:\d+ )?comentarios?|(?:\d+ )?комментари[йяи]",
        ),
    ),
    (
        "related-teaser",
        _any(
            r"(?:see|read) also|also read|read more(?: about| on)?(?: this)?|read next|up next|what to read next",
            r"(?:related|similar|recommended|popular|recent|latest|trending|more|top|other|featured)"
            r"(?: \w+){0,2} (?:articles?|posts?|stories|news|reads?|content|videos?|reading|links?|topics?|guides?)",
            r"related|more from .{1,60}|more on .{1,60}|more in .{1,60}|more like this|editor'?s picks?|most (?:read|popular|viewed)",
            r"you (?:may|might|will) (?:also )?(?:like|enjoy|be interested in|love)(?: this| these)?",
            r"(?:don'?t miss|in case you missed it|other posts you'?ll love|keep reading|further reading)",
            r"siehe auch|lesen sie auch|das könnte sie auch interessieren|mehr zum thema|voir aussi|à lire aussi|lire aussi",
            r"ver también|te puede interesar|lee también|читайте также|см\. также|похожие (?:статьи|новости|материалы)",
        ),
    ),
    (
        "form-field",
        _any(r"name\s*\*?|e-?mail(?: address)?\s*\*?|website\s*\*?|comment\s*\*|\* indicates required"),
    ),
    (
        "footer",
        _any(
            r"about us|contact us|contact|sitemap|imprint|impressum|datenschutz|disclaimer|accessibility|careers|"
            r"advertise(?: with us)?|faq|help|support|legal|mentions légales|aviso legal|политика конфиденциальности",
        ),
    ),
    (
        "read-time",
        _any(r"\d+\s*(?:min|mins|minutes?)(?: read| reading time)?|(?:min|mins|minutes?) read|reading time:? .{1,20}"),
    ),
    (
        "tag-list",
        _any(
            r"tags?|tagged|topics?|categories|category|filed under|keywords|labels|schlagwörter|étiquettes|etiquetas|теги|метки",
        ),
    ),
)

#: Phrase rules: the pattern may occur anywhere in a block of at most ``phrase_max_words`` words.
#: Each carries lower-case trigger strings; its (slower) pattern only runs when one of them occurs.
PHRASE_RULES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "comment-form",
        ("email", "e-mail", "akismet", "required", "comment", "reply", "response", "notify me", "adresse",
         "dirección", "réponse", "respuesta", "kommentar", "commentaire", "comentario", "комментар", "ответ"),
        _any(
            r"your email address will not be published", r"required fields are marked",
            r"this site uses akismet", r"save my name,? email", r"notify me of (?:follow-up comments|new (?:posts|comments))",
            r"you must be (?:logged in|registered) to post a comment", r"^(?:leave|post|add|write|submit) a (?:reply|comment|response)",
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
        ("%d bloggers", "click to", "share", "follow us", "like us"),
        _any(
            r"%d bloggers like this", r"click to (?:share|print|email)", r"share (?:this|on) (?:facebook|twitter|linkedin)",
            r"^share (?:this|the) (?:article|post|story|page)", r"^(?:follow|like) us on ", r"^share on ",
        ),
    ),
    (
        "subscribe",
        ("subscri", "newsletter", "sign up", "enter your e", "discover more from", "full archive", "inbox",
         "abonn", "suscr", "подпи"),
        _any(
            r"\bsubscribe\b", r"\bnewsletters?\b", r"\bsign up (?:for|to|now|today)\b", r"enter your e-?mail",
            r"discover more from ", r"get access to the full archive", r"join \d[\d,]* other subscribers",
            r"in your inbox", r"\bunsubscribe\b",
            r"\babonnieren\b", r"\babonnez-vous\b", r"\bsuscr[ií]bete\b", r"подпи(?:шитесь|саться)",
        ),
    ),
    (
        "cookie-notice",
        ("cookie", "by continuing"),
        _any(
            r"\bcookies?\b.{0,80}\b(?:accept|consent|use|uses|policy|settings|preferences|experience)\b",
            r"\b(?:accept|reject|allow) (?:all )?cookies\b", r"\bby continuing to (?:use|browse)\b",
        ),
    ),
    (
        "copyright",
        ("©", "(c)", "copyright", "rights reserved", "rechte vorbehalten", "droits réservés", "derechos reservados",
         "права защищены"),
        _any(
            r"©", r"\(c\)\s*\d{4}", r"\bcopyright\b", r"all rights reserved", r"alle rechte vorbehalten",
            r"tous droits réservés", r"todos los derechos reservados", r"все права защищены",
        ),
    ),
    (
        "donation-appeal",
        ("donat", "patreon", "subscri", "become a", "spenden", "faire un don", "пожертв"),
        _any(
            r"\bto donate\b", r"\bdonate (?:now|today|here)\b", r"\bmak(?:e|ing) a donation\b",
            r"\bconsider (?:a )?donat", r"\bsupport (?:our|us)(?: work| journalism| mission)?\b.{0,40}\b(?:donat|patreon|subscri)",
            r"\bbecome a (?:patron|member|supporter)\b", r"jetzt spenden", r"faire un don", r"haz una donación",
            r"пожертвова",
        ),
    ),
    (
        "image-caption",
        ("photo", "image", "picture", "credit", "source", "foto", "bild", "quelle", "фото", "courtesy", "getty",
         "shutterstock", "istock", "alamy", "unsplash", "pexels", "adobe stock", "pictured"),
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
        ("privacy policy", "terms of", "terms and", "powered by", "cookie policy", "do not sell"),
        _any(
            r"\bprivacy policy\b", r"\bterms (?:of|and) (?:use|service|conditions)\b", r"\bpowered by\b",
            r"\bcookie policy\b", r"\bdo not sell my\b",
        ),
    ),
    (
        "widget",
        ("gadget", "javascript", "browser does not", "error"),
        _any(
            r"the gadget spec url could not be found", r"please enable javascript", r"javascript (?:is )?(?:disabled|required)",
            r"your browser does not support", r"^there was an error\b",
        ),
    ),
)

#: Every phrase rule's triggers as one pattern (longest first), and which rules each trigger wakes.
PHRASE_TRIGGERS = re.compile(
    "|".join(re.escape(t) for t in sorted({t for _, ts, _ in PHRASE_RULES for t in ts}, key=len, reverse=True))
)
TRIGGERED_RULES: dict[str, tuple[int, ...]] = {
    trigger: tuple(i for i, (_, ts, _) in enumerate(PHRASE_RULES) if any(t in trigger for t in ts))
    for trigger in {t for _, ts, _ in PHRASE_RULES for t in ts}
}


#: Blocks that open the comment section: everything after them (to the footer) is reader comments.
COMMENT_START_RULES: frozenset[str] = frozenset({"comment-section", "comment-form"})

#: Rules whose marker also removes the run of short teaser blocks that follows it.
TEASER_RULES: frozenset[str] = frozenset({"related-teaser"})

#: Signs of a single reader comment: "Jane says:", "Reply", "March 3, 2020 at 5:12 pm".
COMMENT_SIGN = _any(
    r"^\S.{0,60}\b(?:says|writes|wrote|sagt|schreibt|dit|écrit|dice|escribe|пишет|говорит):?$",
    r"^\S.{0,80}\bwrites: .{0,80}$", r"^reply(?: ↓| to this.*)?$", r"^(?:antworten|répondre|responder|ответить)$",
    r"^\d+ (?:likes?|points?|upvotes?)$", r"^(?:log in|sign in) to reply$", r"\(score: \d", r"^re: ",
    r"^.{0,60}\b\d{1,2}:\d{2}\s*(?:am|pm)?$", r"^\S.{0,60} (?:at|um|à|a las|в) \d{1,2}:\d{2}\s*(?:am|pm)?$",
    r"^(?:\d+ )?(?:minutes?|hours?|days?|weeks?|months?|years?) ago$",
)

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

#: A token for counting words.
WORD = re.compile(r"\w+", re.UNICODE)

#: A URL or e-mail address, whose presence makes a short block link-like.
LINKISH = re.compile(r"https?://|www\.|\S+@\S+\.\w+|\.(?:com|org|net|html?)\b", _I)
