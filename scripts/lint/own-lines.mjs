// ESLint rule `local/max-own-lines`: a function may have at most `max` lines of its own — blank and
// comment lines aside, and the bodies of the functions inside it not counted (each of those is held
// to the limit itself). So a factory that only puts small functions together passes, and any one
// function that does too much does not.
const FUNCTIONS = ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'];

function nameOf(node) {
  if (node.id?.name) return `Function '${node.id.name}'`;
  const parent = node.parent;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return `Function '${parent.id.name}'`;
  if ((parent?.type === 'Property' || parent?.type === 'MethodDefinition') && parent.key.type === 'Identifier') {
    return `Function '${parent.key.name}'`;
  }
  return 'This function';
}

export const maxOwnLines = {
  meta: {
    type: 'suggestion',
    docs: { description: 'Limits the lines of a function, those of the functions nested in it not counted' },
    schema: [{ type: 'object', properties: { max: { type: 'integer', minimum: 1 } }, additionalProperties: false }],
    messages: { tooLong: '{{name}} has {{lines}} lines of its own (nested functions not counted); at most {{max}}.' },
  },
  create(context) {
    const max = context.options[0]?.max ?? 60;
    const lines = context.sourceCode.lines;
    const isCode = (line) => {
      const text = line.trim();
      return text !== '' && !text.startsWith('//') && !text.startsWith('/*') && !text.startsWith('*');
    };
    const stack = [];
    const enter = () => stack.push({ nested: [] });
    const exit = (node) => {
      const { nested } = stack.pop();
      if (stack.length > 0) stack[stack.length - 1].nested.push(node);
      // A nested function's first and last lines belong to the statement around it.
      const inner = new Set();
      for (const child of nested) for (let l = child.loc.start.line + 1; l < child.loc.end.line; l++) inner.add(l);
      let count = 0;
      for (let l = node.loc.start.line; l <= node.loc.end.line; l++) if (!inner.has(l) && isCode(lines[l - 1])) count++;
      if (count > max) context.report({ node, messageId: 'tooLong', data: { name: nameOf(node), lines: count, max } });
    };
    return Object.fromEntries(
      FUNCTIONS.flatMap((type) => [
        [type, enter],
        [`${type}:exit`, exit],
      ]),
    );
  },
};

export default { rules: { 'max-own-lines': maxOwnLines } };
