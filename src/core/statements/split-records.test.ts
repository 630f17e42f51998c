import { describe, expect, it } from 'vitest';
import { type CsvRecord, createRecordSplitter, MAX_RECORD_CHARS } from './split-records.js';

function split(...parts: string[]): CsvRecord[] {
  const splitter = createRecordSplitter();
  return [...parts.flatMap((part) => splitter.push(part)), ...splitter.end()];
}

describe('createRecordSplitter', () => {
  it('splits LF and CRLF lines into cells, numbering physical lines', () => {
    expect(split('Id,Date\r\n0,7/15\n\n1,7/28')).toEqual([
      { line: 1, cells: ['Id', 'Date'] },
      { line: 2, cells: ['0', '7/15'] },
      { line: 3, cells: [''] },
      { line: 4, cells: ['1', '7/28'] },
    ]);
  });

  it('reads quoted fields holding commas, escaped quotes and line breaks', () => {
    expect(split('a,"b,c","say ""hi"""\n"multi\r\nline",x\nnext,y\n')).toEqual([
      { line: 1, cells: ['a', 'b,c', 'say "hi"'] },
      { line: 2, cells: ['multi\r\nline', 'x'] },
      { line: 4, cells: ['next', 'y'] },
    ]);
  });

  it('treats a quote inside an unquoted field as text, as papaparse does', () => {
    expect(split('a"b,c\nd,e')).toEqual([
      { line: 1, cells: ['a"b', 'c'] },
      { line: 2, cells: ['d', 'e'] },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'Id,Memo\r\n1,"a,""b""\r\nc"\r\n\r\n2,plain\r\n3,"x"\r\n';
    const whole = split(text);
    for (let at = 0; at <= text.length; at += 1) {
      expect(split(text.slice(0, at), text.slice(at))).toEqual(whole);
    }
    expect(split(...text)).toEqual(whole);
  });

  it('reports a malformed quoted field with papaparse reason and reads on', () => {
    expect(split('1,"a"x,2\n3,b,4\n')).toEqual([
      { line: 1, error: 'line 1: trailing quote on quoted field is malformed' },
      { line: 2, cells: ['3', 'b', '4'] },
    ]);
  });

  it('rejects only the first line of a quote left open at the end and rereads the rest', () => {
    expect(split('1,"open\n2,b\n3,c')).toEqual([
      { line: 1, error: 'line 1: quoted field is not closed' },
      { line: 2, cells: ['2', 'b'] },
      { line: 3, cells: ['3', 'c'] },
    ]);
  });

  it('gives up on a record longer than the limit without holding the whole file', () => {
    const splitter = createRecordSplitter();
    const records = [
      ...splitter.push('1,ok\n2,"'),
      ...splitter.push('x'.repeat(MAX_RECORD_CHARS)),
      ...splitter.push('y'.repeat(MAX_RECORD_CHARS)),
      ...splitter.push('\n3,fine\n'),
      ...splitter.end(),
    ];
    expect(records).toEqual([
      { line: 1, cells: ['1', 'ok'] },
      { line: 2, error: `line 2: record longer than ${MAX_RECORD_CHARS} characters (unclosed quote?)` },
      { line: 3, cells: ['3', 'fine'] },
    ]);
  });
});
