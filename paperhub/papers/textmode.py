"""Text mode's commands, outside math (tex.py renders them): styles, declarations, citations, symbols."""

# Text mode, outside math. Formatting commands keep their argument, with its style (canonical command name here,
# a tag in HTML); citations go, or leave their keys (below); escaped specials, ties, dashes and quotes become what
# they print. Any other command is left as written: guessing what it prints would be wrong more often than showing it.
TEXT_STYLES = {"textit": "textit", "emph": "emph", "textsl": "textit", "textbf": "textbf", "textsc": "textsc",
               "texttt": "texttt", "textrm": "", "textsf": "", "textup": "", "textnormal": "", "textmd": "",
               "text": "", "mbox": "", "underline": "", "textsuperscript": "textsuperscript",
               "textsubscript": "textsubscript"}
#: Declarations ({\em ...}, {\bf ...}): the style lasts to the end of the group.
DECLARATIONS = {"em": "emph", "it": "textit", "itshape": "textit", "sl": "textit", "bf": "textbf",
                "bfseries": "textbf", "sc": "textsc", "scshape": "textsc", "tt": "texttt", "ttfamily": "texttt",
                "rm": "", "sf": "", "normalfont": "", "upshape": ""}
#: Textual citations are words of their sentence ("as shown by \citet{smith2020} that", "Ref.~\citenum{a}"):
#: dropped, they would leave "as shown by that"; with no bibliography to name the authors from, their keys stand in.
TEXTUAL_CITATIONS = {"citet", "Citet", "citealt", "Citealt", "citeauthor", "Citeauthor", "citeyear", "citenum",
                     "textcite", "Textcite"}
#: Citations. The others print a reference beside the sentence, in brackets, a footnote or nothing (\nocite): the
#: sentence reads whole without them, so they go.
CITATIONS = {"cite", "citep", "Citep", "citealp", "Citealp", "citeyearpar", "nocite", "parencite", "Parencite",
             "autocite", "Autocite", "footcite", *TEXTUAL_CITATIONS}
TEXT_SYMBOLS = {"ldots": "…", "dots": "…", "textendash": "–", "textemdash": "—", "LaTeX": "LaTeX", "TeX": "TeX",
                "textasciitilde": "~", "textbackslash": "\\", "textbar": "|", "textless": "<", "textgreater": ">",
                "S": "§", "P": "¶", "copyright": "©", "texttrademark": "™", "textregistered": "®", "\\": " ",
                " ": " ", ",": " ", "-": "", "/": "", "@": "", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$",
                "{": "{", "}": "}", "guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«",
                "guillemetright": "»", "textquotedblleft": "“", "textquotedblright": "”", "textquoteleft": "‘",
                "textquoteright": "’", "textdegree": "°", "pounds": "£", "texteuro": "€", "textmu": "µ",
                "textpm": "±", "texttimes": "×", "textbullet": "•", "dag": "†", "ddag": "‡", "slash": "/",
                "noindent": "", "par": " ", "newline": " ", "linebreak": " ",
                # the conference templates' abbreviations (\eg, \ie, \etal: CVPR's, ICCV's)
                "eg": "e.g.", "ie": "i.e.", "etal": "et al.", "etc": "etc.", "vs": "vs.", "wrt": "w.r.t.",
                "cf": "cf.", "iid": "i.i.d."}
HTML_TAGS = {"textit": "em", "emph": "em", "textbf": "strong", "texttt": "code", "textsuperscript": "sup",
             "textsubscript": "sub"}
MAX_OPTION = 200  # longest optional argument of a citation ([p.~3]); a longer "[" is text
