import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { Templates } from "../src/index.js"

// Live differential with the real Django 3.2 under /usr/bin/python3: random values rendered by
// Django's engine and ours through templates in the syntax both share. Skipped (and says so)
// where Django is not importable; .ci/run installs python3-django so CI runs it.
const python = "/usr/bin/python3"
const djangoMissing = !existsSync(python) || spawnSync(python, ["-c", "import django"]).status !== 0
const skipReason = djangoMissing ? ` [SKIPPED: ${python} cannot import django]` : ""
if (djangoMissing) console.warn(`Templates differential with Django skipped: ${python} cannot import django`)

const program = String.raw`
import json, sys
import django
from django.conf import settings
settings.configure(TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}])
django.setup()
from django.template import engines
engine = engines["django"]
job = json.load(sys.stdin)
out = []
for source in job["templates"]:
    t = engine.from_string(source)
    out.append([t.render(ctx) for ctx in job["contexts"]])
print(json.dumps(out))
`

/** Templates whose meaning is the same in Django's language and in Nunjucks. */
const templates = [
  "{{ x }}",
  "{{ x|safe }}",
  "{{ x|escape }}",
  "<a title=\"{{ x }}\">{{ x }}</a>",
  "{% if x %}[{{ x }}]{% else %}empty{% endif %}",
  "{% for i in xs %}<li>{{ i }}</li>{% endfor %}",
  "{% for i in xs %}{% if i %}{{ i }}{% endif %},{% endfor %}",
  "{# a comment #}{{ missing }}|{{ x }}"
]

/**
 * The one difference in output: Nunjucks writes `'` as `&#39;` and escapes `\` as `&#92;`;
 * Django writes `&#x27;` and leaves `\`. A browser reads both the same.
 */
const asDjango = (s: string): string => s.replace(/&#39;/g, "&#x27;").replace(/&#92;/g, "\\")

describe(`Templates: live differential with Django 3.2${skipReason}`, () => {
  it.live.skipIf(djangoMissing)(
    "random values render as Django renders them (autoescape, |safe, |escape, if, for, comments)",
    () =>
      Effect.gen(function*() {
        const value = fc.string({
          unit: fc.constantFrom("<", ">", "&", "\"", "'", "\\", "a", " ", "é", "\u4e2d", "😀")
        })
        const contexts = fc.sample(
          fc.record({ x: value, xs: fc.array(value, { maxLength: 4 }) }),
          { numRuns: 150, seed: 19 }
        )
        const run = spawnSync(python, ["-c", program], {
          input: JSON.stringify({ templates, contexts }),
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024
        })
        expect(run.stderr).toBe("")
        const django: ReadonlyArray<ReadonlyArray<string>> = JSON.parse(run.stdout)
        const engine = Templates.make()
        for (let i = 0; i < templates.length; i++) {
          const template = yield* engine.fromString(templates[i]!)
          const ours = yield* Effect.forEach(contexts, (ctx) => template.render(ctx))
          expect({ template: templates[i], out: ours.map(asDjango) }).toStrictEqual({
            template: templates[i],
            out: django[i]
          })
        }
      }),
    60_000
  )
})
