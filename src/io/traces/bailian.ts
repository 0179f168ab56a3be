/**
 * Qwen-Bailian JSONL (alibaba-edu/qwen-bailian-usagetraces-anon): `{chat_id, parent_chat_id (-1 =
 * first turn), timestamp (s), input_length, output_length, type, turn, hash_ids}`. hash_ids are
 * per-block hashes of 16-token blocks (not chained; the builder chains them). A conversation's turns
 * share a session id (the root chat's); turns stay open-loop at their recorded times.
 */
import { GrowableInt32 } from "../../sim/workload/growable.js";
import { PairInterner } from "../../sim/workload/pair-interner.js";
import type { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";
import { keyOf, lineError, numberField, parseJsonRecord, pushHashIds, tokensField, type FormatParser } from "./record.js";

export function bailianParser(file: string): FormatParser {
  const chats = new PairInterner(4096); // chat id -> dense chat index
  const sessionOfChat = new GrowableInt32(4096);
  let sessions = 0;
  const sessionOf = (chatKey: number): number => {
    const idx = chats.intern(0, chatKey);
    if (idx === sessionOfChat.length) sessionOfChat.push(sessions++);
    return sessionOfChat.data[idx];
  };
  return {
    format: "bailian",
    blockSize: 16,
    skipped: 0,
    line(text: string, lineNo: number, out: TraceTableBuilder): boolean {
      const o = parseJsonRecord(text, file, lineNo);
      if (o.chat_id === undefined || o.chat_id === null) throw lineError(file, lineNo, 'expected a "chat_id"');
      const chatKey = keyOf(o.chat_id);
      const parent = o.parent_chat_id;
      let session: number;
      if (chats.get(0, chatKey) >= 0 || parent === undefined || parent === null || parent === -1 || parent === "-1") {
        session = sessionOf(chatKey);
      } else {
        session = sessionOf(keyOf(parent));
        const idx = chats.intern(0, chatKey);
        if (idx === sessionOfChat.length) sessionOfChat.push(session);
      }
      const s = numberField(o.timestamp, "timestamp", file, lineNo);
      out.begin(s * 1e6, tokensField(o.input_length, "input_length", file, lineNo), tokensField(o.output_length, "output_length", file, lineNo), session);
      pushHashIds(o.hash_ids, file, lineNo, out);
      out.end();
      return true;
    },
  };
}
