import { api } from '../api/endpoints';
import { keys } from '../api/queries';
import { type EditableFile, FileEditor } from '../components/FileEditor';
import { PageHeader } from '../components/PageHeader';
import { usePageTitle } from '../usePageTitle';

const USER_MD: EditableFile = {
  name: 'USER.md',
  queryKey: keys.userProfile,
  load: api.userProfile,
  save: api.saveUserProfile,
  testId: 'user-md',
};

/** The user's profile, USER.md, which every agent reads. */
export function UserPage() {
  usePageTitle('User');
  return (
    <>
      <PageHeader
        title="User"
        subtitle="Your profile: who you are and how you like to work. Every agent reads it from its next message."
      />
      <FileEditor file={USER_MD} hint="Markdown. Keep it short: it is part of every agent's prompt." />
    </>
  );
}
