import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { droppedFileKind } from '../../contract/droppedFile';
import { droppedFileFromUrl } from './droppedFiles';

describe('dropped files', () => {
  it('classifies by extension, whatever the case', () => {
    expect(droppedFileKind('/a/lab.sqlite')).toBe('lab');
    expect(droppedFileKind('C:\\labs\\Lab.DB')).toBe('lab');
    expect(droppedFileKind('spec.json')).toBe('spec');
    expect(droppedFileKind('notes.txt')).toBeNull();
    expect(droppedFileKind('sqlite')).toBeNull();
    expect(droppedFileKind('/folder.sqlite/file')).toBeNull();
  });

  it('reads the file a drop navigation names, and nothing else', () => {
    const path = '/home/me/labs/my lab#2.sqlite';
    expect(droppedFileFromUrl(pathToFileURL(path).href)).toEqual({ kind: 'lab', path });
    expect(droppedFileFromUrl(pathToFileURL('/tmp/spec.json').href)).toEqual({ kind: 'spec', path: '/tmp/spec.json' });
    expect(droppedFileFromUrl('https://example.com/lab.sqlite')).toBeNull();
    expect(droppedFileFromUrl(pathToFileURL('/tmp/picture.png').href)).toBeNull();
    expect(droppedFileFromUrl('not a url')).toBeNull();
  });
});
