/**
 * What the library can do yet, found by trying it: the playground and example-site tests skip
 * (and say so) what depends on a part that is not wired in.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect } from "effect"
import { MultiValueDict, RequestFactory } from "../../src/index.js"

/** Whether `request.FILES` parses a multipart body (the uploads work wired into HttpRequest). */
export const filesParsed = (): Promise<boolean> => {
  const request = RequestFactory.post("/", {
    body: "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nx\r\n--B--\r\n",
    contentType: "multipart/form-data; boundary=B"
  })
  return Effect.runPromise(
    request.FILES.pipe(
      Effect.map((files) => MultiValueDict.lists(files).length > 0),
      Effect.orElseSucceed(() => false),
      Effect.scoped,
      Effect.provide(NodeContext.layer)
    )
  )
}
