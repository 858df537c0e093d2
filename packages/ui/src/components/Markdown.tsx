import type { Root } from 'mdast';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import { visit } from 'unist-util-visit';

/**
 * Shows HTML written in an answer as the text it is (an agent explaining a `<script>` tag means the words), where
 * react-markdown would silently leave it out.
 */
function htmlAsText() {
  return (tree: Root) => {
    visit(tree, 'html', (node, index, parent) => {
      if (parent && index !== undefined) parent.children[index] = { type: 'text', value: node.value };
    });
  };
}

// HTML in the text is never rendered: it is turned into text before anything else; the sanitizer is the second
// fence, for anything a plugin could let through. Highlighting runs after it: its classes are ours.
const REMARK = [remarkGfm, htmlAsText];
const REHYPE = [rehypeSanitize, rehypeHighlight];

const COMPONENTS: Components = {
  // A link from an agent leaves Mission Control and tells the new page nothing about where it came from.
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer" />,
};

/** An agent's Markdown as formatted text: headings, emphasis, lists, tables (GFM), links and highlighted code. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className ? `markdown ${className}` : 'markdown'}>
      <ReactMarkdown remarkPlugins={REMARK} rehypePlugins={REHYPE} components={COMPONENTS}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
