import type { Skill } from '@praktor/protocol';
import { type FormEvent, useId, useState } from 'react';
import { splitMemberMessage } from '../api/field-message';
import { bytesToBase64 } from '../base64';
import { ErrorNote } from './ErrorNote';
import { Field } from './Field';
import { MarkdownEditor } from './MarkdownEditor';

/** A file's bytes as standard base64. */
async function base64Of(file: File): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

type FormField = 'name' | 'description' | 'content' | 'files';

/** The form field that shows the API's message about each member of a skill. */
const FIELD_OF: Record<string, FormField> = {
  '': 'name',
  description: 'description',
  content: 'content',
  files: 'files',
};

/**
 * A skill: its SKILL.md (description and Markdown body, written or previewed) and the files of its folder, for a
 * new skill or to edit one (prefilled from `initial`; a new name renames it). Uploaded files are added to those it
 * has, replacing any of the same name. A name another skill has is refused here rather than replacing that skill.
 */
export function SkillForm({
  initial,
  taken,
  error,
  pending,
  onSave,
  onCancel,
}: {
  initial?: { name: string; skill: Skill };
  /** The names of the agent's other skills. */
  taken: readonly string[];
  /** The API's answer to this form's last save. */
  error: Error | null;
  pending: boolean;
  onSave: (name: string, skill: Skill) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.skill.description ?? '');
  const [content, setContent] = useState(initial?.skill.content ?? '');
  const [kept, setKept] = useState<Record<string, string>>(initial?.skill.files ?? {});
  const [uploads, setUploads] = useState<FileList | null>(null);
  const [sent, setSent] = useState('');

  const trimmed = name.trim();
  const clash = taken.includes(trimmed)
    ? `A skill named "${trimmed}" exists already: edit that one, or choose another name.`
    : undefined;
  const answer = error ? splitMemberMessage(error.message, `skills.${sent}`) : null;
  const fieldOf = answer ? FIELD_OF[answer.field] : undefined;
  const errorAt = (field: FormField) => (fieldOf === field ? answer?.message : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (clash) return;
    const files = { ...kept };
    for (const file of uploads ?? []) files[file.name] = await base64Of(file);
    setSent(trimmed);
    // What the form does not show (the commands it requires) is kept as it was.
    const { files: _replaced, ...unshown } = initial?.skill ?? {};
    onSave(trimmed, {
      ...unshown,
      description,
      content,
      ...(Object.keys(files).length > 0 ? { files } : {}),
    });
  };
  const keptNames = Object.keys(kept);
  return (
    <form className="memory-editor" onSubmit={(e) => void submit(e)} data-testid="skill-form">
      <Field id={`${id}-name`} label="Name" error={clash ?? errorAt('name')} errorTestId="skill-name-error">
        {(control) => (
          <input
            {...control}
            className="input mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="skill-name"
            required
          />
        )}
      </Field>
      <Field
        id={`${id}-description`}
        label="Description (when the model should use it)"
        error={errorAt('description')}
      >
        {(control) => (
          <input
            {...control}
            className="input"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            data-testid="skill-description"
          />
        )}
      </Field>
      <MarkdownEditor
        id={`${id}-content`}
        label="SKILL.md (Markdown)"
        value={content}
        onChange={setContent}
        error={errorAt('content')}
        testId="skill-content"
      />
      {keptNames.length > 0 && (
        <ul className="plain-list" aria-label="Files of the skill's folder">
          {keptNames.map((path) => (
            <li key={path} className="memory-head" data-testid="skill-file" data-name={path}>
              <span className="mono">{path}</span>
              <button
                type="button"
                className="button button-small button-danger-quiet"
                onClick={() =>
                  setKept((files) => Object.fromEntries(Object.entries(files).filter(([p]) => p !== path)))
                }
                data-testid="skill-file-remove"
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <Field
        id={`${id}-files`}
        label={keptNames.length > 0 ? 'Add files to its folder' : "Files of the skill's folder"}
        optional
        error={errorAt('files')}
        errorTestId="skill-files-error"
      >
        {(control) => (
          <input
            {...control}
            type="file"
            multiple
            onChange={(e) => setUploads(e.target.files)}
            data-testid="skill-files"
          />
        )}
      </Field>
      {error && !fieldOf && (
        <ErrorNote error={error} prefix="Could not save" testId="extensions-save-error" />
      )}
      <div className="memory-actions">
        <button type="button" className="button button-small" onClick={onCancel} data-testid="skill-cancel">
          Cancel
        </button>
        <button
          type="submit"
          className="button button-small button-primary"
          disabled={pending}
          data-testid="skill-save"
        >
          {initial ? 'Save skill' : 'Add skill'}
        </button>
      </div>
    </form>
  );
}
