var e=Object.create,t=Object.defineProperty,n=Object.getOwnPropertyDescriptor,r=Object.getOwnPropertyNames,i=Object.getPrototypeOf,a=Object.prototype.hasOwnProperty,o=(e,t)=>()=>(t||(e((t={exports:{}}).exports,t,t.exports),e=null),t.exports),s=(e,i,o,s)=>{if(i&&typeof i==`object`||typeof i==`function`)for(var c=r(i),l=0,u=c.length,d;l<u;l++)d=c[l],!a.call(e,d)&&d!==o&&t(e,d,{get:(e=>i[e]).bind(null,d),enumerable:!(s=n(i,d))||s.enumerable});return e},c=(n,r,o)=>(o=n==null?{}:e(i(n)),s(r||!n||!n.__esModule||!a.call(n,`default`)?t(o,`default`,{value:n,enumerable:!0}):o,n)),l,u,d,f,p,m,h,g,_,v,y=Symbol.for(`pv`),b={},x=[],S=/^m(i|n|o|s|text|space)$/,C=Array.isArray,w=x.slice,T=Object.assign;function E(e){e&&e.parentNode&&e.remove()}function D(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?w.call(arguments,2):n),O(e,o,r,i,null)}function O(e,t,n,r,i){var a={type:e,props:t,key:n,ref:r,__k:null,__:null,__b:0,__e:null,__c:null,constructor:y,__v:i||++u,__i:-1,__u:0};return!i&&l.vnode&&l.vnode(a),a}function k(e){return e.children}function A(e,t){this.props=e,this.context=t,this.__g=0}function j(e,t){if(t==null)return e.__&&j(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:j(e)}function M(e){var t,n=e.__v,r=n.__e,i=[],a=[],o=e.__P;o&&((t=T({constructor:y},n)).__v=n.__v+1,l.vnode&&l.vnode(t),ie(o,t,n,e.__n,o.namespaceURI,32&n.__u?[r]:null,i,r||j(n),32&n.__u,a),t.__v=n.__v,t.__.__k[t.__i]=t,se(i,t,a),n.__=n.__e=null,t.__e!=r&&N(t))}function N(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),N(e)}function P(e){(8&e.__g||(e.__g|=8,d.push(e),p++))&&f==l.debounceRendering||((f=l.debounceRendering)||queueMicrotask)(F)}function F(){try{for(var e,t=1;d.length;)d.length>t&&d.sort(m),e=d.shift(),t=d.length,8&e.__g&&M(e)}finally{(p=d.length)&&(f||queueMicrotask)(F)}}function I(e,t,n,r,i,a,o,s,c,l,u){var d,f,p,m,h,g,_=r.__k||x,v=t.length;for(c=L(n,t,_,c,v),d=0;d<v;d++)(p=n.__k[d])!=null&&(f=~p.__i&&_[p.__i]||b,p.__i=d,g=ie(e,p,f,i,a,o,s,c,l,u),m=p.__e,(f.ref!=p.ref||8&f.__u)&&(f.ref&&le(f.ref,null,p,f),p.ref&&u.push(p.ref,p.__c||m,p)),h=h||m,4&p.__u?(c=R(p,c,e,!f.__v),f.__e&&(f.__e=null)):typeof p.type==`function`&&g!==void 0?c=g:m&&(c=m.nextSibling),p.__u&=-21);return n.__e=h,c}function L(e,t,n,r,i){var a,o,s,c,l,u,d,f,p,m=n.length,h=m,g=0,_=0,v=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=v[a]=O(null,o):C(o)?o=v[a]=O(k,{children:o}):o.constructor===y&&o.__b?o=v[a]=O(o.type,o.props,o.key,o.ref,o.__v):v[a]=o,c=a+g,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=ee(o,n,c,h))&&(h--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?g--:l==c+1?g++:l!=c&&(l>c?g--:g++,_=1)):(~l||(i>m?g--:i<m&&g++),typeof o.type!=`function`&&(o.__u|=4))):v[a]=null;if(_){for(u=[],d=[],a=0;a<i;a++)if((o=v[a])&&16&o.__u){for(g=0,f=u.length;g<f;)u[p=g+f>>1]<o.__i?g=p+1:f=p;u[g]=o.__i,d[a]=g+1}for(g=u.length;a--;)d[a]&&(d[a]==g?g--:v[a].__u|=4)}if(h)for(a=0;a<m;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=j(s)),ue(s,s));return r}function R(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=R(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=j(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t=t&&t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function ee(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function te(e,t,n){n??(n=``),t[0]==`-`?e.setProperty(t,n):e[t]=n}function ne(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||te(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||te(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||(e.__e={}))[t]=n,n&&r||(o=v[t]||(v[t]=re(t)),(e.__a||(e.__a={}))[t]=_,a=t!=(t=t.replace(g,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function re(e){return function(t){var n=this.__e;if(n){if(n=n[e],t[h]==null)t[h]=_++;else if(t[h]<this.__a[e])return;return n(l.event?l.event(t):t)}}}function ie(e,t,n,r,i,a,o,s,c,u){var d,f,p,m,h,g,_,v,b,S,w,D,O,M,N,P,F,L,R=t.type;if(t.constructor!==y)return null;128&n.__u&&(c=32&n.__u,d=n.__c.__z)&&(t.__u|=c,f=a=[],d.nodeType==8?s=ae(d,a):a.push(d),s=a[0]||s),(d=l.__b)&&d(t);n:if(typeof R==`function`){p=o.length;try{if(v=t.props,b=(d=R.prototype)&&d.render,S=(d=R.contextType)&&r[d.__c],w=d?S?S.props.value:d.__:r,(m=n.__c)?(t.__c=m,2&m.__g&&(m.__g|=1)):(b?t.__c=m=new R(v,w):(t.__c=m=new A(v,w),m.constructor=R,m.render=de),S&&S.sub(m),m.state||(m.state={}),m.__n=r,m.__g|=8,m.__h=[],m.__k=[]),b&&(m.__s||(m.__s=m.state),R.getDerivedStateFromProps&&(m.__s==m.state&&(m.__s=T({},m.__s)),T(m.__s,R.getDerivedStateFromProps(v,m.__s)))),h=m.props,g=m.state,m.__v=t,n.__c){if(v!==h&&b&&!R.getDerivedStateFromProps&&m.componentWillReceiveProps&&m.componentWillReceiveProps(v,w),t.__v==n.__v&&!(8&m.__g)||!(4&m.__g)&&m.shouldComponentUpdate&&!1===m.shouldComponentUpdate(v,m.__s,w)){t.__v!=n.__v&&(m.props=v,m.state=m.__s,m.__g&=-9),t.__e=n.__e,t.__k=n.__k,t.__k.some(function(e){e&&(e.__=t)}),x.push.apply(m.__h,m.__k),m.__k=[],m.__h.length&&o.push(m),s=j(n);break n}m.componentWillUpdate&&m.componentWillUpdate(v,m.__s,w),b&&m.componentDidUpdate&&m.__h.push(function(){m.componentDidUpdate(h,g,_)})}else b&&!R.getDerivedStateFromProps&&m.componentWillMount&&m.componentWillMount(),b&&m.componentDidMount&&m.__h.push(m.componentDidMount);m.context=w,m.props=v,m.__P=e,m.__g&=-5,D=l.__r,O=b?25:0;do m.__g&=-9,D&&D(t),d=m.render(m.props,m.state=m.__s,m.context);while(8&m.__g&&++O<25);b&&(x.push.apply(m.__h,m.__k),m.__k=[]),m.state=m.__s,m.getChildContext&&(r=T({},r,m.getChildContext())),b&&n.__c&&m.getSnapshotBeforeUpdate&&(_=m.getSnapshotBeforeUpdate(h,g)),M=d&&d.type===k&&d.key==null?d.props.children:d,v.__P&&(d=s,i=(e=v.__P).namespaceURI,c=a=null,n.props&&n.props.__P!=e&&(n.__k.some(function(e){e&&ue(e,e)}),n.__k=null),s=n.__k?j(n,0):null),s=I(e,C(M)?M:[M],t,n,r,i,a,o,s,c,u),v.__P&&(t.__e=null,s=d),t.__u&=-161,f&&f.some(E),m.__h.length&&o.push(m),1&m.__g&&(m.__g&=-4)}catch(e){if(o.length=p,t.__v=null,c||a){if(e&&e.then){if(t.__u|=128|c,a){for(~(F=a.indexOf(s||void 0))||(F=a.length);(L=a[F-1])&&L.nodeType==8;)F--;for(;F<a.length;F++)if(L=a[F]){if(a[F]=null,N){if(L==P)break}else{if(L.nodeType!=8)break;L.data.startsWith(`$s`)&&(P=ae(N=L))}}}if(!N){for(;s&&s.nodeType==8&&s.nextSibling;)s=s.nextSibling;N=s}(d=ae(N=t.__c.__z||(t.__c.__z=N)))?(t.__e=N,s=d):t.__e=s,s=s&&s.nextSibling}else a&&a.some(E)}else t.__e=n.__e;t.__k||(t.__k=n.__k||[]),e&&e.then||oe(t),l.__e(e,t,n)}}else s=t.__e=ce(n.__e,t,n,r,i,a,o,c,u,e);return(d=l.diffed)&&d(t),s}function ae(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function oe(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(oe))}function se(e,t,n){for(var r=0;r<n.length;)le(n[r++],n[r++],n[r++]);l.__c&&l.__c(t,e),e.some(function(t){try{e=t.__h,t.__h=[],e.some(function(e){e.call(t)})}catch(e){l.__e(e,t.__v)}})}function ce(e,t,n,r,i,a,o,s,c,u){var d,f,p,m,h,g,_,v,y=n.props||b,x=t.props,T=t.type;if(T==`svg`?i=`http://www.w3.org/2000/svg`:T==`math`?i=`http://www.w3.org/1998/Math/MathML`:i||(i=`http://www.w3.org/1999/xhtml`),a){for(d=0;d<a.length;d++)if((h=a[d])&&(T?h.localName==T:h.nodeType==3)){e=h,a[d]=null;break}}if(!e){if(v=u.ownerDocument||document,!T)return v.createTextNode(x);e=v.createElementNS(i,T,x.is?x:u),s&&(l.__m&&l.__m(t,a),s=!1),a=null}if(T){if(u=T==`template`&&e.content||e,a=T==`textarea`&&x.defaultValue!=null?null:a&&w.call(u.childNodes),!s&&a)for(y={},d=0;d<e.attributes.length;d++)y[(h=e.attributes[d]).name]=h.value;for(d in y)h=y[d],d==`dangerouslySetInnerHTML`?p=h:d==`children`||d in x||d==`value`&&`defaultValue`in x||d==`checked`&&`defaultChecked`in x||ne(e,d,null,h,i);for(d in x)h=x[d],d==`children`?m=h:d==`dangerouslySetInnerHTML`?f=h:d==`value`?g=h:d==`checked`?_=h:s&&typeof h!=`function`||y[d]===h||ne(e,d,h,y[d],i);f?(s||p&&(f.__html==p.__html||f.__html==e.innerHTML)||(e.innerHTML=f.__html),t.__k=[]):(p&&(e.textContent=``),(T==`foreignObject`||i==`http://www.w3.org/1998/Math/MathML`&&S.test(T))&&(i=`http://www.w3.org/1999/xhtml`),I(u,C(m)?m:[m],t,n,r,i,a,o,a?a[0]:n.__k&&j(n,0),s,c),a&&a.some(E)),s&&T!=`textarea`||(d=`value`,T==`progress`&&g==null?e.removeAttribute(d):g==null||g===e[d]&&(T!=`progress`||g)||ne(e,d,g,y[d],i),d=`checked`,_!=null&&_!=e[d]&&ne(e,d,_,y[d],i))}else y===x||s&&e.data==x||(e.data=x);return e}function le(e,t,n,r){try{typeof e==`function`?t?t.__x=e(t)||1:r&&(r=r.__c||r.__e)&&(t=r.__x)&&(r.__x=null,typeof t==`function`?t():e(null)):e.current=t}catch(e){l.__e(e,n)}}function ue(e,t,n){var r,i,a,o;if(l.unmount&&l.unmount(e),!(r=e.ref)||r.current&&r.current!=e.__e||le(r,null,t,e),r=e.__c){if(r.componentWillUnmount)try{r.componentWillUnmount()}catch(e){l.__e(e,t)}r.__P=r.__n=null}if(r=e.__k)for(o=0;o<r.length;o++)r[o]&&ue(r[o],t,typeof e.type!=`function`||n&&!e.props.__P);!n&&(r=e.__c)&&(r=r.__z)&&(i=ae(r,a=[]))&&(r==e.__e&&a.some(E),E(i),E(r)),n||E(e.__e),e.__e=e.__c=e.__=null}function de(e,t,n){return this.constructor(e,n)}function fe(e,t){var n,r,i,a;l.__&&l.__(e,t),t.nodeType==9&&(t=t.documentElement),r=(n=e&&32&e.__u)?null:t.__k,t.__k=O(k,{children:[e]}),i=[],a=[],ie(t,t.__k,r||b,b,t.namespaceURI,r?null:t.firstChild?w.call(t.childNodes):null,i,r?r.__e:t.firstChild,n,a),se(i,t.__k,a),t.__k.props.children=null}l={__e:function(e,t,n,r){for(var i,a,o;t=t.__;)if((i=t.__c)&&!(1&i.__g)){i.__g|=4;try{if((o=(a=i.constructor)&&a.getDerivedStateFromError)&&i.setState(a.getDerivedStateFromError(e)),i.componentDidCatch&&(i.componentDidCatch(e,r||{}),o=1),o&&8&i.__g)return void(i.__g|=2)}catch(t){e=t}}throw p=0,e}},u=0,A.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=T({},this.state)),typeof e==`function`&&(e=e(T({},n),this.props)),e&&(T(n,e),this.__v&&(t&&this.__k.push(t),P(this)))},A.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),P(this))},A.prototype.render=k,d=[],p=0,m=function(e,t){return e.__v.__b-t.__v.__b},h=Symbol(),g=/(PointerCapture)$|Capture$/i,_=0,v={};var pe=function(e,t,n,r){var i;t[0]=0;for(var a=1;a<t.length;a++){var o=t[a++],s=t[a]?(t[0]|=o?1:2,n[t[a++]]):t[++a];o===3?r[0]=s:o===4?r[1]=Object.assign(r[1]||{},s):o===5?(r[1]=r[1]||{})[t[++a]]=s:o===6?r[1][t[++a]]+=s+``:o?(i=e.apply(s,pe(e,s,n,[``,null])),r.push(i),s[0]?t[0]|=2:(t[a-2]=0,t[a]=i)):r.push(s)}return r},me=new Map;function he(e){var t=me.get(this);return t||(t=new Map,me.set(this,t)),(t=pe(this,t.get(e)||(t.set(e,t=function(e){for(var t,n,r=1,i=``,a=``,o=[0],s=function(e){r===1&&(e||(i=i.replace(/^\s*\n\s*|\s*\n\s*$/g,``)))?o.push(0,e,i):r===3&&(e||i)?(o.push(3,e,i),r=2):r===2&&i===`...`&&e?o.push(4,e,0):r===2&&i&&!e?o.push(5,0,!0,i):r>=5&&((i||!e&&r===5)&&(o.push(r,0,i,n),r=6),e&&(o.push(r,e,0,n),r=6)),i=``},c=0;c<e.length;c++){c&&(r===1&&s(),s(c));for(var l=0;l<e[c].length;l++)t=e[c][l],r===1?t===`<`?(s(),o=[o],r=3):i+=t:r===4?i===`--`&&t===`>`?(r=1,i=``):i=t+i[0]:a?t===a?a=``:i+=t:t===`"`||t===`'`?a=t:t===`>`?(s(),r=1):r&&(t===`=`?(r=5,n=i,i=``):t===`/`&&(r<5||e[c][l+1]===`>`)?(s(),r===3&&(o=o[0]),r=o,(o=o[0]).push(2,0,r),r=0):t===` `||t===`	`||t===`
`||t===`\r`?(s(),r=2):i+=t),r===3&&i===`!--`&&(r=4,o=o[0])}return s(),o}(e)),t),arguments,[])).length>1?t:t[0]}var z=he.bind(D),B,V,ge,_e,ve=Object.is,H=0,ye=[],be=[],U=l,xe=U.__b,Se=U.__r,Ce=U.diffed,we=U.__c,Te=U.unmount,Ee=U.__;function De(e,t){U.__h&&U.__h(V,e,H||t),H=0;var n=V.__H||(V.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function W(e){return H=1,Oe(ze,e)}function Oe(e,t,n){var r=De(B++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):ze(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);ve(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=V,!V.__f)){V.__f=!0;var i=V.shouldComponentUpdate;V.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,ve(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function ke(e,t){var n=De(B++,3);!U.__s&&Re(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,V.__H.__h.push(n))}function Ae(e){return H=5,G(function(){return{current:e}},[])}function G(e,t){var n=De(B++,7);return Re(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function je(e,t){return H=8,G(function(){return e},t)}function Me(){var e;do{for(;e=be.shift();)try{Ie(e)}catch(t){U.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=ye.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Ie),t.__h.some(Le),t.__h=[]}catch(n){t.__h=[],U.__e(n,e.__v)}}}while(be.length)}U.__b=function(e){V=null,xe&&xe(e)},U.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),Ee&&Ee(e,t)},U.__r=function(e){Se&&Se(e),B=0;var t=(V=e.__c).__H;t&&(ge==V?V.__h=[]:(t.__h.some(Ie),t.__h.some(Le),B=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),ge=V},U.diffed=function(e){Ce&&Ce(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&Fe(ye.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),ge=V=null},U.__c=function(e,t){t.some(function(e){try{e.__h.some(Ie),e.__h=e.__h.filter(function(e){return!e.__||Le(e)})}catch(t){e.__h=[function(){throw t}]}}),we&&we(e,t)},U.unmount=function(e){Te&&Te(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n=n&&n.__c}r.__P=n,Fe(be.push(r))}else Ie(r)}catch(e){t=e}}),r.__H=void 0,t&&U.__e(t,r.__v))};var Ne=typeof requestAnimationFrame==`function`;function Pe(e){var t,n=function(){clearTimeout(r),Ne&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);Ne&&(t=requestAnimationFrame(n))}function Fe(e){e!=1&&_e==U.requestAnimationFrame||((_e=U.requestAnimationFrame)||Pe)(Me)}function Ie(e){var t=V,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),V=t}function Le(e){var t=V;e.__c=e.__(),V=t}function Re(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!ve(t,e[n])})}function ze(e,t){return typeof t==`function`?t(e):t}var Be=`vaxflow-site`,Ve=1,He=null;function Ue(e){return new Promise((t,n)=>{e.onsuccess=()=>t(e.result),e.onerror=()=>n(e.error)})}function We(){return He||(He=new Promise((e,t)=>{let n=indexedDB.open(Be,Ve);n.onupgradeneeded=()=>{let e=n.result;e.objectStoreNames.contains(`people`)||e.createObjectStore(`people`,{keyPath:`citizen_id`}),e.objectStoreNames.contains(`outbox`)||e.createObjectStore(`outbox`,{keyPath:`client_id`}).createIndex(`status`,`status`)},n.onsuccess=()=>e(n.result),n.onerror=()=>t(n.error)})),He}async function Ge(e,t,n){let r=await We();return new Promise((i,a)=>{let o=r.transaction(e,t),s=n(o.objectStore(e));o.oncomplete=async()=>i(await s),o.onerror=()=>a(o.error),o.onabort=()=>a(o.error)})}var Ke=e=>Ge(e,`readonly`,e=>Ue(e.getAll())),qe=(e,t)=>Ge(e,`readonly`,e=>Ue(e.get(t))),K=(e,t)=>Ge(e,`readwrite`,e=>Ue(e.put(t))),Je=(e,t)=>Ge(e,`readwrite`,e=>Ue(e.delete(t)));function Ye(){let e=`vaxflow.site.device`,t=localStorage.getItem(e);return t||(t=Array.from(crypto.getRandomValues(new Uint8Array(6)),e=>e.toString(16).padStart(2,`0`)).join(``),localStorage.setItem(e,t)),t}function Xe(){let e=Array.from(crypto.getRandomValues(new Uint8Array(4)),e=>e.toString(16).padStart(2,`0`)).join(``);return`site-${Ye()}-${Date.now().toString(36)}-${e}`}function Ze(){try{return JSON.parse(localStorage.getItem(`vaxflow.site.prefs`)||`{}`)}catch{return{}}}function Qe(e){localStorage.setItem(`vaxflow.site.prefs`,JSON.stringify({...Ze(),...e}))}var $e=`vaxflow.site.session`,et=`/api/v1`,tt=6e4,q=class extends Error{},J=class extends Error{},Y=class extends Error{constructor(e,t){super(t?.detail||t?.title||`The server answered ${e}.`),this.status=e,this.problem=t}get messages(){let e=this.problem?.errors;return Array.isArray(e)&&e.length?e.map(e=>`${e.field}: ${e.message} (${e.rule})`):[this.message]}};async function nt(e){try{return await e.json()}catch{return null}}function rt(e){try{let t=e.split(`.`)[1].replace(/-/g,`+`).replace(/_/g,`/`);return JSON.parse(atob(t))}catch{return{}}}function it(){try{let e=JSON.parse(localStorage.getItem($e)||`null`);return e&&e.access_token&&e.refresh_token?e:null}catch{return null}}function at(e,t){let n={access_token:e.access_token,refresh_token:e.refresh_token,expires_at:Date.now()+e.expires_in*1e3,username:t};return localStorage.setItem($e,JSON.stringify(n)),n}async function ot(e,t){try{return await fetch(e,t)}catch(e){throw new J(`Cannot reach the server: ${e.message}`)}}var st=class{constructor(e){this.onChange=e,this.current=it(),this.refreshing=null,this.timer=null,this.schedule()}get loggedIn(){return this.current!==null}get username(){return this.current?.username??``}get claims(){return this.current?rt(this.current.access_token):{}}get siteId(){return this.claims.site_id??null}get role(){return this.claims.role??``}async login(e,t){let n=await ot(`${et}/auth/staff/login`,{method:`POST`,headers:{"Content-Type":`application/json`,Accept:`application/json`},body:JSON.stringify({username:e,password:t})});if(n.status===401)throw new Y(401,{detail:`Wrong username or password.`});if(!n.ok)throw new Y(n.status,await nt(n));this.current=at(await n.json(),e),this.schedule(),this.onChange(`login`)}logout(){let e=this.current?.refresh_token;this.clear(`logout`),e&&fetch(`${et}/auth/logout`,{method:`POST`,headers:{"Content-Type":`application/json`},body:JSON.stringify({refresh_token:e}),keepalive:!0}).catch(()=>{})}clear(e){localStorage.removeItem($e),this.current=null,clearTimeout(this.timer),this.onChange(e)}async token(){if(!this.current)throw new q(`Log in first.`);return this.current.expires_at-Date.now()<tt&&await this.refresh(),this.current.access_token}refresh(){return this.refreshing||(this.refreshing=this.rotate().finally(()=>{this.refreshing=null})),this.refreshing}async rotate(){let e=this.current;if(!e)throw new q(`Log in first.`);let t=await ot(`${et}/auth/refresh`,{method:`POST`,headers:{"Content-Type":`application/json`,Accept:`application/json`},body:JSON.stringify({refresh_token:e.refresh_token})});if(t.status===401)throw this.clear(`expired`),new q(`Your session has expired; log in again.`);if(!t.ok)throw new Y(t.status,await nt(t));this.current=at(await t.json(),e.username),this.schedule()}schedule(){if(clearTimeout(this.timer),!this.current)return;let e=Math.max(0,this.current.expires_at-Date.now()-tt);this.timer=setTimeout(()=>this.refresh().catch(()=>{}),e)}async call(e,t,n){for(let r=0;;r+=1){let i=await this.token(),a=await ot(`${et}${t}`,{method:e,headers:{Authorization:`Bearer ${i}`,Accept:`application/json`,...n===void 0?{}:{"Content-Type":`application/json`}},body:n===void 0?void 0:JSON.stringify(n)});if(a.status===401&&r===0)await this.refresh();else{if(a.status===401)throw this.clear(`expired`),new q(`Your session has expired; log in again.`);if(!a.ok)throw new Y(a.status,await nt(a));return a.status===204?null:a.json()}}}},ct=200,lt=class{constructor(e,t){this.session=e,this.onChange=t,this.running=null,this.lastError=``}async records(){return Ke(`outbox`)}async counts(){let e=await this.records();return{pending:e.filter(e=>e.status===`pending`).length,refused:e.filter(e=>e.status===`refused`)}}async prune(){let e=new Date(Date.now()-1728e5).toISOString();for(let t of await this.records())t.status===`uploaded`&&(t.uploaded_at??``)<e&&await Je(`outbox`,t.client_id)}async addDose(e,t){let n={client_id:Xe(),kind:`dose`,status:`pending`,citizen_id:t,created_at:new Date().toISOString(),body:null};return n.body={...e,client_id:n.client_id,captured_at:n.created_at},await K(`outbox`,n),this.onChange(),n}async addObservation(e,t,n){let r={client_id:Xe(),kind:`observation`,status:`pending`,citizen_id:n,dose_client_id:e.client_id??null,dose_id:e.dose_id??null,created_at:new Date().toISOString(),body:t};return await K(`outbox`,r),this.onChange(),r}flush(){if(!this.running){let e=()=>this.upload(),t=navigator.locks?navigator.locks.request(`vaxflow-site-outbox`,e):e();this.running=t.finally(()=>{this.running=null,this.onChange()})}return this.running}async upload(){if(this.session.loggedIn)try{await this.uploadDoses(),await this.uploadObservations(),this.lastError=``}catch(e){this.lastError=e.message,e instanceof J||e instanceof q||console.warn(e)}}async uploadDoses(){for(;;){let e=(await this.records()).filter(e=>e.kind===`dose`&&e.status===`pending`).sort((e,t)=>e.created_at.localeCompare(t.created_at)).slice(0,ct);if(!e.length)return;let t=await this.session.call(`POST`,`/doses/batch`,{records:e.map(e=>e.body)}),n=new Map(e.map(e=>[e.client_id,e]));for(let e of t.results){let t=n.get(e.client_id);t&&(e.status===`refused`?(t.status=`refused`,t.problem=e.problem):(t.status=`uploaded`,t.dose_id=e.dose_id),t.uploaded_at=new Date().toISOString(),await K(`outbox`,t),await this.settlePerson(t))}this.onChange()}}async settlePerson(e){let t=await qe(`people`,e.citizen_id);t&&t.dose?.client_id===e.client_id&&(e.status===`uploaded`&&(t.dose.dose_id=e.dose_id),e.status===`refused`&&(t.dose.refused=e.problem?.detail||`refused`),await K(`people`,t))}async uploadObservations(){let e=await this.records(),t=new Map(e.filter(e=>e.kind===`dose`).map(e=>[e.client_id,e]));for(let n of e){if(n.kind!==`observation`||n.status!==`pending`)continue;let e=n.dose_id?{dose_id:n.dose_id}:t.get(n.dose_client_id);if(e?.status===`refused`)n.status=`refused`,n.problem={detail:`Its dose was refused.`},await K(`outbox`,n);else if(e?.dose_id){try{await this.session.call(`POST`,`/observations`,{...n.body,dose_id:e.dose_id}),n.status=`uploaded`}catch(e){if(!(e instanceof Y)||e.status>=500)throw e;n.status=e.status===409?`uploaded`:`refused`,e.status!==409&&(n.problem=e.problem)}n.uploaded_at=new Date().toISOString(),await K(`outbox`,n),this.onChange()}}}},ut=(function(){let e=typeof document<`u`&&document.createElement(`link`).relList;return e&&e.supports&&e.supports(`modulepreload`)?`modulepreload`:`preload`})(),dt=function(e){return`/site/`+e},ft={},pt=function(e){return e.pathname.endsWith(`.css`)},mt=function(e,t,n){if(t in e)return e[t];let r=n();if(!r){e[t]=void 0;return}let i=r.then(()=>{e[t]=void 0},n=>{throw e[t]=void 0,n});return e[t]=i,i},ht=function(e,t,n){let r=Promise.resolve();if(t&&t.length>0){let e,i=document.querySelector(`meta[property=csp-nonce]`),a=i?.nonce||i?.getAttribute(`nonce`);function o(e){return Promise.all(e.map(e=>Promise.resolve(e).then(e=>({status:`fulfilled`,value:e}),e=>({status:`rejected`,reason:e}))))}function s(e){return import.meta.resolve?new URL(import.meta.resolve(e)):new URL(e,import.meta.url)}r=o(t.map(t=>{t=dt(t,n);let r=s(t),i=pt(r);return mt(ft,r.href,()=>{if(e===void 0){e={all:new Set,styles:new Set};let t=document.getElementsByTagName(`link`);for(let n=t.length-1;n>=0;n--){let r=t[n];e.all.add(r.href),r.rel===`stylesheet`&&e.styles.add(r.href)}}if((i?e.styles:e.all).has(r.href))return;let t=document.createElement(`link`);if(t.rel=i?`stylesheet`:ut,i||(t.as=`script`),t.crossOrigin=``,t.href=r.href,a&&t.setAttribute(`nonce`,a),document.head.appendChild(t),i)return new Promise((e,n)=>{let i=a=>{t.removeEventListener(`load`,i),t.removeEventListener(`error`,i),a.type===`error`?n(Error(`Unable to preload CSS for ${r}`)):e(a)};t.addEventListener(`load`,i),t.addEventListener(`error`,i)})})}).filter(e=>e!==void 0))}function i(e){let t=new Event(`vite:preloadError`,{cancelable:!0});if(t.payload=e,window.dispatchEvent(t),!t.defaultPrevented)throw e}return r.then(t=>{for(let e of t||[])e.status===`rejected`&&i(e.reason);return e().catch(i)})};async function gt(){if(`BarcodeDetector`in window)try{if((await window.BarcodeDetector.getSupportedFormats()).includes(`qr_code`)){let e=new window.BarcodeDetector({formats:[`qr_code`]});return async t=>(await e.detect(t))[0]?.rawValue??null}}catch{}let{default:e}=await ht(async()=>{let{default:e}=await import(`./jsQR-CqiNqJe_.js`).then(e=>c(e.default,1));return{default:e}},[]),t=document.createElement(`canvas`),n=t.getContext(`2d`,{willReadFrequently:!0});return async r=>{let{videoWidth:i,videoHeight:a}=r;return!i||!a?null:(t.width=i,t.height=a,n.drawImage(r,0,0,i,a),e(n.getImageData(0,0,i,a).data,i,a,{inversionAttempts:`dontInvert`})?.data??null)}}function _t({onCode:e,onClose:t}){let n=Ae(null),[r,i]=W(`Starting the camera…`);return ke(()=>{let r=null,a=!1,o=null;(async()=>{try{if(!navigator.mediaDevices?.getUserMedia)throw Error(`This browser has no camera access.`);if(r=await navigator.mediaDevices.getUserMedia({video:{facingMode:`environment`},audio:!1}),a)return;n.current.srcObject=r,await n.current.play();let t=await gt();i(`Hold the QR code in front of the camera.`);let s=async()=>{if(a)return;let r=await t(n.current).catch(()=>null);r?e(r):o=setTimeout(s,150)};s()}catch(e){i(`No camera: ${e.message} Type the code instead.`)}})();let s=e=>{e.key===`Escape`&&t()};return window.addEventListener(`keydown`,s),()=>{window.removeEventListener(`keydown`,s),a=!0,clearTimeout(o),r?.getTracks().forEach(e=>e.stop())}},[]),z`<div class="scanner" role="dialog" aria-label="Scan the appointment QR">
    <video ref=${n} muted playsinline></video>
    <p role="status">${r}</p>
    <button type="button" onClick=${t}>Close the camera <kbd>Esc</kbd></button>
  </div>`}var vt=[[`anaphylaxis_to_covid_vaccine`,`Anaphylaxis after an earlier dose of a COVID-19 vaccine or to one of its components`],[`severe_allergy_history`,`Anaphylaxis of grade 2 or more to any allergen`],[`other_allergy_history`,`Allergy to other allergens (food, medicine, ...)`],[`acute_illness`,`Acute illness or fever now`],[`covid19_last_6_months`,`COVID-19 in the last 6 months`],[`other_vaccine_last_14_days`,`Another vaccine in the last 14 days`],[`chronic_disease_uncontrolled`,`A chronic disease that is progressing or not under control`],[`chronic_disease_controlled`,`A chronic disease under control`],[`immunodeficiency_or_immunosuppression`,`Severe immunodeficiency, or immunosuppressive treatment (chemotherapy, radiotherapy, high-dose corticosteroids)`],[`pregnant_under_13_weeks`,`Pregnant, under 13 weeks`],[`pregnant_13_weeks_or_more`,`Pregnant, 13 weeks or more`],[`breastfeeding`,`Breastfeeding`],[`clotting_disorder_or_anticoagulants`,`A clotting disorder, or taking anticoagulants`]],yt=[[`temperature_c`,`Temperature (°C)`,`0.1`,30,45],[`pulse_per_min`,`Pulse (/min)`,`1`,20,250],[`systolic_mmhg`,`Systolic (mmHg)`,`1`,40,300],[`diastolic_mmhg`,`Diastolic (mmHg)`,`1`,20,200],[`spo2_percent`,`SpO2 (%)`,`1`,50,100]],X={eligible:`Eligible`,caution:`Caution`,postpone:`Postpone`,contraindicated:`Contraindicated`,refer_to_hospital:`Refer to hospital`},bt=new Set([`eligible`,`caution`]),xt=[`injection_site_pain`,`injection_site_swelling`,`injection_site_redness`,`fever`,`headache`,`fatigue`,`myalgia`,`nausea`,`vomiting`,`dizziness`,`syncope`,`urticaria`,`rash`,`allergic_reaction`,`chest_pain`,`dyspnoea`,`hypotension`,`anaphylaxis`,`seizure`],St=[`death`,`life_threatening`,`hospitalisation`,`disability`,`congenital_anomaly`,`cluster`],Ct={left_deltoid:`Left deltoid`,right_deltoid:`Right deltoid`,left_thigh:`Left thigh`,right_thigh:`Right thigh`},wt=1e4,Tt=15e3,Et=/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,Dt=new Intl.DateTimeFormat(`en-CA`,{timeZone:`Asia/Ho_Chi_Minh`,year:`numeric`,month:`2-digit`,day:`2-digit`});function Z(){return Dt.format(new Date)}function Ot(e){let t=Math.max(0,Math.round(e)),n=Math.floor(t/3600),r=Math.floor(t%3600/60),i=String(t%60).padStart(2,`0`);return n?`${n}:${String(r).padStart(2,`0`)}:${i}`:`${r}:${i}`}function kt(e){return e?e.slice(0,8):``}function Q(e){return e instanceof Y?e.messages.join(`; `):e?.message||String(e)}function At(e){let t=e.trim(),n=t.match(/[?&#]token=([^&#]+)/);return n?decodeURIComponent(n[1]):t}function jt(e){let t=e?.tagName;return t===`INPUT`||t===`TEXTAREA`||t===`SELECT`||e?.isContentEditable}function $(e){return e.name||`citizen ${kt(e.citizen_id)}`}function Mt({session:e,notice:t}){let[n,r]=W(t||``),[i,a]=W(!1);return z`
    <main id="main" class="login">
      <h1>VaxFlow · Site console</h1>
      <form onSubmit=${async t=>{t.preventDefault();let n=new FormData(t.currentTarget);a(!0),r(``);try{await e.login(String(n.get(`username`)),String(n.get(`password`)))}catch(e){r(Q(e))}finally{a(!1)}}} aria-describedby="login-error">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required autofocus />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" disabled=${i}>Log in</button>
        <p id="login-error" class="error" role="alert">${n}</p>
      </form>
    </main>
  `}function Nt({app:e}){let[t,n]=W(``),[r,i]=W(``),[a,o]=W(null),[s,c]=W(!1),[l,u]=W(!1),d=async t=>{if(!t)return;u(!0);let r=await e.checkIn({token:t});u(!1),r&&n(``)};return z`
    <section class="panel checkin" aria-labelledby="checkin-title">
      <h2 id="checkin-title">Check in</h2>
      <form
        onSubmit=${e=>{e.preventDefault(),d(At(t))}}
      >
        <label for="checkin-code">Appointment code <kbd>c</kbd></label>
        <div class="row">
          <input
            id="checkin-code"
            value=${t}
            onInput=${e=>n(e.currentTarget.value)}
            autocomplete="off"
            spellcheck="false"
            placeholder="typed or scanned"
          />
          <button type="submit" disabled=${l||!t.trim()}>Check in</button>
          <button type="button" onClick=${()=>c(!0)}>Scan QR <kbd>q</kbd></button>
        </div>
      </form>
      ${s&&z`<${_t}
        onCode=${e=>{c(!1),d(At(e))}}
        onClose=${()=>c(!1)}
      />`}
      <form onSubmit=${async t=>{t.preventDefault();let n=r.trim();Et.test(n)?(u(!0),o(await e.lookUp(n)),u(!1)):e.say(`A citizen id looks like 0b5f3f0e-2a7c-4d8e-9f61-3c2b1a0d9e8f.`,`error`)}}>
        <label for="walkin-id">Walk-in: citizen id <kbd>w</kbd></label>
        <div class="row">
          <input
            id="walkin-id"
            value=${r}
            onInput=${e=>{i(e.currentTarget.value),o(null)}}
            autocomplete="off"
            spellcheck="false"
          />
          <button type="submit" disabled=${l||!r.trim()}>Look up</button>
        </div>
      </form>
      ${a&&z`<div class="found" role="status">
        ${a.name?z`<p><strong>${a.name}</strong>, born ${a.date_of_birth}</p>`:z`<p>${a.note}</p>`}
        <button type="button" onClick=${async()=>{u(!0);let t=await e.checkIn({citizen_id:a.citizen_id},a.name);u(!1),t&&(o(null),i(``))}} disabled=${l} ref=${t=>t&&e.focusOnce(t)}>
          Check in walk-in
        </button>
      </div>`}
    </section>
  `}function Pt({app:e,person:t}){let n=Ze(),r=e.products,[i,a]=W(()=>Object.fromEntries(vt.map(([e])=>[e,!1]))),[o,s]=W({}),[c,l]=W(r.includes(n.product_code)?n.product_code:r[0]??``),[u,d]=W(null),[f,p]=W(``),[m,h]=W(``),[g,_]=W(``),[v,y]=W(``),[b,x]=W(``),[S,C]=W(!1),[w,T]=W([]),[E,D]=W(!1),O=G(()=>{let e={};for(let[t]of yt){let n=o[t];n!==void 0&&n!==``&&(e[t]=t===`temperature_c`?Number(n):Math.round(Number(n)))}return e},[o]),k=yt.slice(0,4).every(([e])=>O[e]!==void 0),A=G(()=>({citizen_id:t.citizen_id,appointment_id:t.check_in?.appointment_id??null,product_code:c||null,answers:i,vitals:O}),[t.citizen_id,t.check_in?.appointment_id,c,i,O]);ke(()=>{if(!k){d(null),p(`Enter the vital signs to see the proposed outcome.`);return}let t=!1,n=null,r=async i=>{try{let n=await e.session.call(`POST`,`/screenings/proposal`,A);if(t)return;d(n),p(``),h(e=>e||n.proposed_outcome)}catch(e){if(t)return;e instanceof Y&&e.problem?.errors?.some(e=>e.rule===`citizen_unknown`)&&i<30?(p(`Waiting for the check-in to reach the screening service…`),n=setTimeout(()=>r(i+1),1e3)):(d(null),p(Q(e)))}};return n=setTimeout(()=>r(0),250),()=>{t=!0,clearTimeout(n)}},[A,k]);let j=u&&m&&m!==u.proposed_outcome;return z`
    <form class="work screening" onSubmit=${async n=>{if(n.preventDefault(),!u||!S)return;let r={...A,outcome:m,override_reason:j?g:null,postponed_until:j&&m===`postpone`&&v?v:null,postpone_condition:j&&m===`postpone`&&b?b:null};D(!0),T([]);try{let n=await e.session.call(`POST`,`/screenings`,r);Qe({product_code:c}),await e.screened(t,n)}catch(e){T(e instanceof Y?e.messages:[Q(e)])}finally{D(!1)}}} aria-labelledby="screening-title">
      <h2 id="screening-title">Screening · #${t.check_in?.queue_number} ${$(t)}</h2>
      <fieldset>
        <legend>Checklist (tick what applies; unticked is "no")</legend>
        <ol class="questions">
          ${vt.map(([t,n],r)=>z`<li>
              <label>
                <input
                  type="checkbox"
                  name=${t}
                  checked=${i[t]}
                  ref=${r===0?t=>t&&e.focusOnce(t):void 0}
                  onChange=${e=>a({...i,[t]:e.currentTarget.checked})}
                />
                ${n}
              </label>
            </li>`)}
        </ol>
      </fieldset>
      <fieldset class="vitals">
        <legend>Vital signs</legend>
        ${yt.map(([e,t,n,r,i])=>z`<label>
            ${t}
            <input
              type="number"
              name=${e}
              step=${n}
              min=${r}
              max=${i}
              required=${e!==`spo2_percent`}
              value=${o[e]??``}
              onInput=${t=>s({...o,[e]:t.currentTarget.value})}
            />
          </label>`)}
      </fieldset>
      <label>
        Vaccine product
        <select value=${c} onChange=${e=>l(e.currentTarget.value)}>
          ${r.map(t=>z`<option value=${t}>${e.productName(t)}</option>`)}
        </select>
      </label>
      <div class="proposal" role="status" aria-live="polite">
        ${u?z`<p>
              Proposed outcome:
              <strong data-outcome=${u.proposed_outcome}>${X[u.proposed_outcome]}</strong>
              ${u.reasons.length?z` — ${u.reasons.join(`, `)}`:``}
              ${u.postponed_until?z` · screen again from ${u.postponed_until}`:``}
            </p>`:z`<p class="muted">${f}</p>`}
      </div>
      <fieldset disabled=${!u}>
        <legend>Doctor's decision</legend>
        <label>
          Outcome
          <select value=${m} onChange=${e=>h(e.currentTarget.value)}>
            ${Object.entries(X).map(([e,t])=>z`<option value=${e}>${t}</option>`)}
          </select>
        </label>
        ${j&&z`<label>
          Reason for differing from the proposal
          <input required minlength="3" value=${g} onInput=${e=>_(e.currentTarget.value)} />
        </label>`}
        ${j&&m===`postpone`&&z`<label>
            Screen again from
            <input type="date" value=${v} onInput=${e=>y(e.currentTarget.value)} />
          </label>
          <label>
            Or the condition to wait for
            <input value=${b} onInput=${e=>x(e.currentTarget.value)} />
          </label>`}
        <label class="confirm">
          <input type="checkbox" checked=${S} onChange=${e=>C(e.currentTarget.checked)} />
          I am the doctor and confirm this outcome
        </label>
      </fieldset>
      <${Ft} errors=${w} />
      <div class="row">
        <button type="submit" disabled=${E||!u||!S}>Confirm screening</button>
        <button type="button" onClick=${()=>e.setWork(null)}>Cancel <kbd>Esc</kbd></button>
      </div>
    </form>
  `}function Ft({errors:e}){return e.length?z`<ul class="error" role="alert">
    ${e.map(e=>z`<li>${e}</li>`)}
  </ul>`:null}function It({app:e,person:t}){let n=Ze(),r=t.screening?.product_code,i=e.usableLots.filter(e=>!r||e.product_code===r),[a,o]=W((i.find(e=>e.lot_number===n.lot_number)??i[0])?.lot_number??``),[s,c]=W(n.body_site||`left_deltoid`),[l,u]=W([]),[d,f]=W(!1);return z`
    <form class="work dose" onSubmit=${async n=>{n.preventDefault();let r=i.find(e=>e.lot_number===a);if(!r)u([`Choose a lot from the site's stock.`]);else{f(!0),u([]);try{Qe({lot_number:r.lot_number,body_site:s,product_code:r.product_code}),await e.recordDose(t,{citizen_id:t.citizen_id,product_code:r.product_code,lot_number:r.lot_number,body_site:s})}catch(e){u(e instanceof Y?e.messages:[Q(e)])}finally{f(!1)}}}} aria-labelledby="dose-title">
      <h2 id="dose-title">Dose · #${t.check_in?.queue_number} ${$(t)}</h2>
      <p class="muted">
        Screening: ${X[t.screening?.outcome]??`—`}
        ${r?z` · ${e.productName(r)}`:``}
      </p>
      <div class="row">
        <label>
          Lot
          <select value=${a} onChange=${e=>o(e.currentTarget.value)}>
            ${i.map(t=>z`<option value=${t.lot_number}>
                ${t.lot_number} · ${e.productName(t.product_code)} · ${t.balance} left · exp ${t.expiry_date}
              </option>`)}
          </select>
        </label>
        <label>
          Body site
          <select value=${s} onChange=${e=>c(e.currentTarget.value)}>
            ${Object.entries(Ct).map(([e,t])=>z`<option value=${e}>${t}</option>`)}
          </select>
        </label>
      </div>
      <${Ft} errors=${l} />
      <div class="row">
        <button
          type="submit"
          disabled=${d||!i.length}
          ref=${t=>t&&e.focusOnce(t)}
        >
          Record dose <kbd>Enter</kbd>
        </button>
        <button type="button" onClick=${()=>e.setWork(null)}>Cancel <kbd>Esc</kbd></button>
      </div>
    </form>
  `}function Lt({app:e,person:t}){let[n,r]=W({}),[i,a]=W([]),[o,s]=W([]),[c,l]=W(!1),u=Math.floor((Date.now()-Date.parse(t.dose.administered_at))/6e4),d=async r=>{r.preventDefault();let a=Object.entries(n).filter(([,e])=>e.on).map(([e,t])=>({code:e,severity:t.severity||`mild`,onset_minutes:Math.max(0,Math.min(240,Number(t.onset??u)||0))}));l(!0),s([]);try{await e.closeObservation(t,a,i)}catch(e){s(e instanceof Y?e.messages:[Q(e)])}finally{l(!1)}},f=(e,t)=>r({...n,[e]:{...n[e]||{},...t}});return z`
    <form class="work reactions" onSubmit=${d} aria-labelledby="reactions-title">
      <h2 id="reactions-title">Reactions · ${$(t)}</h2>
      <table>
        <thead>
          <tr><th>Reaction</th><th>Severity</th><th>Onset (min after dose)</th></tr>
        </thead>
        <tbody>
          ${xt.map((t,r)=>z`<tr>
              <td>
                <label>
                  <input
                    type="checkbox"
                    checked=${!!n[t]?.on}
                    ref=${r===0?t=>t&&e.focusOnce(t):void 0}
                    onChange=${e=>f(t,{on:e.currentTarget.checked})}
                  />
                  ${t.replace(/_/g,` `)}
                </label>
              </td>
              <td>
                <select
                  aria-label=${`Severity of ${t.replace(/_/g,` `)}`}
                  disabled=${!n[t]?.on}
                  value=${n[t]?.severity||`mild`}
                  onChange=${e=>f(t,{severity:e.currentTarget.value})}
                >
                  <option value="mild">mild</option>
                  <option value="moderate">moderate</option>
                  <option value="severe">severe</option>
                </select>
              </td>
              <td>
                <input
                  type="number"
                  min="0"
                  max="240"
                  aria-label=${`Onset of ${t.replace(/_/g,` `)}`}
                  disabled=${!n[t]?.on}
                  value=${n[t]?.onset??u}
                  onInput=${e=>f(t,{onset:e.currentTarget.value})}
                />
              </td>
            </tr>`)}
        </tbody>
      </table>
      <fieldset>
        <legend>Serious because (WHO criteria; anaphylaxis and seizure count as life-threatening)</legend>
        ${St.map(e=>z`<label class="inline">
            <input
              type="checkbox"
              checked=${i.includes(e)}
              onChange=${t=>a(t.currentTarget.checked?[...i,e]:i.filter(t=>t!==e))}
            />
            ${e.replace(/_/g,` `)}
          </label>`)}
      </fieldset>
      <${Ft} errors=${o} />
      <div class="row">
        <button type="submit" disabled=${c}>Close observation with these reactions</button>
        <button type="button" onClick=${()=>e.setWork(null)}>Cancel <kbd>Esc</kbd></button>
      </div>
    </form>
  `}function Rt(e){let t=e.queue_number?{queue_number:e.queue_number}:void 0;return{citizen_id:e.citizen_id,day:Z(),name:``,check_in:t}}function zt(e,t){let n=t&&t.date===Z()?t:null,r=new Map(e.map(e=>[e.citizen_id,e])),i=new Set((n?.observations_closed??[]).map(e=>e.dose_id)),a=new Set((n?.doses??[]).map(e=>e.citizen_id)),o=(e,t)=>(e.check_in?.queue_number??1e9)-(t.check_in?.queue_number??1e9),s=e.filter(e=>(e.stage===`screening`||e.stage===`ready`)&&!a.has(e.citizen_id));for(let e of n?.screened??[]){let t=r.get(e.citizen_id);!e.cleared||t&&![`waiting`,`screening`].includes(t.stage)||(t?.stage===`screening`&&s.splice(s.indexOf(t),1),s.push({...t??Rt(e),screening:{screening_id:e.screening_id,outcome:e.outcome,proposed_outcome:e.proposed_outcome,product_code:e.product_code},stage:`ready`,elsewhere:!0}))}s.sort(o);let c=e.filter(e=>e.stage===`observation`&&!(e.dose?.dose_id&&i.has(e.dose.dose_id))),l=new Set(c.map(e=>e.dose?.dose_id).filter(Boolean));for(let e of n?.observations_open??[]){let t=r.get(e.citizen_id);l.has(e.dose_id)||t?.dose||c.push({...t??Rt(e),dose:{dose_id:e.dose_id,administered_at:e.started_at},stage:`observation`,elsewhere:!0})}c.sort((e,t)=>e.dose.administered_at.localeCompare(t.dose.administered_at));let u=e.filter(e=>e.dose&&!e.dose.dose_id&&!e.dose.refused).length,d=n?n.doses_total+u:e.filter(e=>e.dose&&!e.dose.refused).length,f=new Set((n?.screened??[]).map(e=>e.citizen_id));return{waiting:e.filter(e=>e.stage===`waiting`&&!f.has(e.citizen_id)&&!a.has(e.citizen_id)),screening:s,observing:c,doses:d,fromServer:!!n}}function Bt({app:e,now:t}){let{queue:n,people:r,stock:i,view:a}=e,o=new Map(r.filter(e=>e.check_in?.queue_number).map(e=>[e.check_in.queue_number,e])),{waiting:s,screening:c,observing:l}=a,u=a.doses,d=new Set((n?.people??[]).map(e=>e.queue_number));return z`
    <div class="board">
      <section class="panel queue" aria-labelledby="queue-title">
        <h2 id="queue-title">Queue</h2>
        ${n?z`<p class="summary" data-metric="waiting">
              ${n.waiting} waiting · longest ${Ot(n.longest_wait_s)} ·
              ${` next arrival waits about ${Ot(n.expected_wait_s)}`}
            </p>`:z`<p class="muted">${e.online?`Loading the queue…`:`No connection: the queue shows again when it returns.`}</p>`}
        <ol class="people" tabindex="0" aria-labelledby="queue-title">
          ${(n?.people??[]).map(n=>{let r=o.get(n.queue_number);return z`<li data-queue-number=${n.queue_number}>
              <span class="number">#${n.queue_number}</span>
              <span class="who">${r?$(r):n.method===`walk_in`?`walk-in`:`appointment`}</span>
              <span class="wait" title="waiting">${Ot(n.waiting_s+(t-e.queueAt)/1e3)}</span>
              ${r?.stage===`waiting`&&s.includes(r)&&z`<button type="button" onClick=${()=>e.startScreening(r)}>
                Screen #${n.queue_number}
              </button>`}
            </li>`})}
          ${s.filter(e=>!d.has(e.check_in?.queue_number)).map(n=>z`<li class="local" data-queue-number=${n.check_in?.queue_number}>
                <span class="number">#${n.check_in?.queue_number}</span>
                <span class="who">${$(n)}</span>
                <span class="wait">${Ot((t-Date.parse(n.check_in.checked_in_at))/1e3)}</span>
                <button type="button" onClick=${()=>e.startScreening(n)}>
                  Screen #${n.check_in?.queue_number}
                </button>
              </li>`)}
        </ol>
      </section>

      <section class="panel screening-list" aria-labelledby="screening-list-title">
        <h2 id="screening-list-title">In screening</h2>
        <ul class="people" tabindex="0" aria-labelledby="screening-list-title">
          ${c.map(t=>z`<li data-citizen=${t.citizen_id} data-stage=${t.stage}>
              <span class="number">${t.check_in?.queue_number?`#${t.check_in.queue_number}`:``}</span>
              <span class="who">${$(t)}</span>
              ${t.stage===`screening`?z`<button type="button" onClick=${()=>e.startScreening(t)}>Continue screening</button>`:z`<span class="badge">${X[t.screening.outcome]}</span>
                    <button
                      type="button"
                      onClick=${async()=>{await e.adopt(t),e.setWork({kind:`dose`,citizen_id:t.citizen_id})}}
                    >
                      Dose for ${t.check_in?.queue_number?`#${t.check_in.queue_number}`:$(t)}
                    </button>`}
            </li>`)}
        </ul>
        ${!c.length&&z`<p class="muted">Nobody.</p>`}
      </section>

      <section class="panel observation" aria-labelledby="observation-title">
        <h2 id="observation-title">Observation (${30} min)</h2>
        <ul class="people" tabindex="0" aria-labelledby="observation-title">
          ${l.map(n=>{let r=1800-(t-Date.parse(n.dose.administered_at))/1e3;return z`<li
              data-citizen=${n.citizen_id}
              data-here=${n.elsewhere?void 0:``}
              class=${r<=0?`due`:``}
            >
              ${n.check_in?.queue_number&&z`<span class="number">#${n.check_in.queue_number}</span>`}
              <span class="who">${$(n)}</span>
              <span class="countdown" data-countdown>${r>0?Ot(r):`done`}</span>
              ${n.dose.client_id&&!n.dose.dose_id&&z`<span class="badge pending">offline</span>`}
              <button type="button" onClick=${()=>e.closeObservation(n,[],[])}>
                No reaction: close
              </button>
              <button
                type="button"
                onClick=${async()=>{await e.adopt(n),e.setWork({kind:`reactions`,citizen_id:n.citizen_id})}}
              >
                Reactions…
              </button>
            </li>`})}
        </ul>
        ${!l.length&&z`<p class="muted">Nobody.</p>`}
      </section>

      <section class="panel stats" aria-labelledby="stats-title">
        <h2 id="stats-title">Today</h2>
        <p>
          ${`Doses so far${a.fromServer?``:` (this device)`}: `}<strong data-metric="doses-today"
            >${u}</strong
          >
        </p>
        <table class="stock">
          <caption>Stock per lot</caption>
          <thead>
            <tr><th>Lot</th><th>Product</th><th>Left</th><th>Expires</th><th></th></tr>
          </thead>
          <tbody>
            ${(i?.items??[]).filter(e=>e.lot_number).sort((e,t)=>(e.product_code||``).localeCompare(t.product_code||``)||(e.expiry_date||``).localeCompare(t.expiry_date||``)).map(t=>z`<tr class=${t.usable?``:`unusable`} data-lot=${t.lot_number}>
                  <td>${t.lot_number}</td>
                  <td>${e.productName(t.product_code)}</td>
                  <td class="num">${t.balance}</td>
                  <td>${t.expiry_date}</td>
                  <td>${t.suspended?`suspended`:t.expired?`expired`:``}</td>
                </tr>`)}
          </tbody>
        </table>
      </section>
    </div>
  `}var Vt=[[`c`,`code`],[`w`,`walk-in`],[`q`,`scan`],[`s`,`screen next`],[`d`,`dose next`],[`o`,`observation`],[`Esc`,`cancel`]],Ht={"EU/1/20/1528":`Comirnaty (Pfizer-BioNTech)`,"EU/1/20/1507":`Spikevax (Moderna)`,"EU/1/21/1529":`Vaxzevria (AstraZeneca)`,Covishield:`Covishield (Serum Institute of India)`,"BBIBP-CorV":`Vero Cell (Sinopharm)`,"Sputnik-V":`Sputnik V (Gamaleya)`,Abdala:`Abdala (CIGB)`};function Ut({session:e}){let[t,n]=W(()=>{try{let t=JSON.parse(localStorage.getItem(`vaxflow.site.site`)||`null`);return t?.site_id===e.siteId?t:null}catch{return null}}),[r,i]=W(null),[a,o]=W(Date.now()),[s,c]=W(()=>{try{let t=JSON.parse(localStorage.getItem(`vaxflow.site.stock`)||`null`);return t?.site_id===e.siteId?t:null}catch{return null}}),[l,u]=W(()=>{try{let t=JSON.parse(localStorage.getItem(`vaxflow.site.board`)||`null`);return t?.site_id===e.siteId?t:null}catch{return null}}),[d,f]=W([]),[p,m]=W(0),[h,g]=W([]),[_,v]=W(navigator.onLine),[y,b]=W(null),[x,S]=W(null),[C,w]=W(Date.now()),T=Ae(new WeakSet),E=G(()=>new lt(e,()=>k()),[e]),D=e.siteId,O=je((e,t=`info`)=>S({text:e,kind:t,at:Date.now()}),[]),k=je(async()=>{let e=Z(),t=await Ke(`people`);f(t.filter(t=>t.day===e&&t.site_id===D));let n=await E.counts();m(n.pending),g(n.refused)},[]),A=async()=>{let e=Z(),t=new Set((await E.records()).filter(e=>e.status===`pending`).map(e=>e.citizen_id));for(let n of await Ke(`people`))n.day!==e&&!t.has(n.citizen_id)&&await Je(`people`,n.citizen_id)},j=je(async()=>{if(D)try{let[t,n,r]=await Promise.all([e.call(`GET`,`/sites/${D}/queue`),e.call(`GET`,`/sites/${D}/stock`),e.call(`GET`,`/doses/board/${D}?limit=200`)]);i(t),o(Date.now()),c(n),localStorage.setItem(`vaxflow.site.stock`,JSON.stringify(n)),u(r),localStorage.setItem(`vaxflow.site.board`,JSON.stringify(r)),v(!0)}catch(e){e instanceof J?v(!1):e instanceof q||O(Q(e),`error`)}},[D]);ke(()=>{if(!D)return;e.call(`GET`,`/sites/${D}`).then(e=>{n(e),localStorage.setItem(`vaxflow.site.site`,JSON.stringify(e))}).catch(()=>{}),A().then(k),E.prune().catch(()=>{}),j(),E.flush();let t=setInterval(j,wt),r=setInterval(()=>E.flush(),Tt),i=setInterval(()=>w(Date.now()),1e3),a=()=>{v(!0),E.flush().then(j)},o=()=>v(!1);return window.addEventListener(`online`,a),window.addEventListener(`offline`,o),()=>{clearInterval(t),clearInterval(r),clearInterval(i),window.removeEventListener(`online`,a),window.removeEventListener(`offline`,o)}},[D]);let M=(s?.items??[]).filter(e=>e.usable&&e.lot_number&&e.balance>0).sort((e,t)=>(e.expiry_date||``).localeCompare(t.expiry_date||``)),N=[...new Set(M.map(e=>e.product_code))],P=async e=>{await K(`people`,{...e,site_id:D}),await k()},F=G(()=>zt(d,l),[d,l]),I={session:e,online:_,queue:r,queueAt:a,stock:s,people:d,view:F,usableLots:M,products:N,say:O,setWork:b,productName:e=>Ht[e]||e||``,focusOnce(e){T.current.has(e)||(T.current.add(e),setTimeout(()=>e.focus(),0))},async lookUp(t){try{let n=await e.call(`GET`,`/citizens/${t}?reason=Walk-in%20check-in%20at%20the%20site`);return{citizen_id:t,name:n.full_name,date_of_birth:n.date_of_birth}}catch(e){return e instanceof Y&&e.status===404?{citizen_id:t,note:`The record is not visible to this site (no appointment here); check-in tells whether the citizen is registered.`}:(O(Q(e),`error`),null)}},async checkIn(t,n=``){try{let r=await e.call(`POST`,`/check-ins`,{site_id:D,...t}),i=await qe(`people`,r.citizen_id);return await P({...i?.day===Z()?i:{},citizen_id:r.citizen_id,day:Z(),name:n||i?.name||``,check_in:r,stage:i?.day===Z()&&i.stage!==`waiting`?i.stage:`waiting`}),O(`Checked in: queue number ${r.queue_number}.`),j(),!0}catch(e){if(e instanceof Y&&e.problem?.type?.endsWith(`/already-checked-in`)){let r=e.problem.queue_number;return t.citizen_id&&!await qe(`people`,t.citizen_id)&&await P({citizen_id:t.citizen_id,day:Z(),name:n,check_in:{queue_number:r,appointment_id:null,checked_in_at:new Date().toISOString()},stage:`waiting`}),O(`Already checked in today: queue number ${r}.`,`error`),!0}return O(Q(e),`error`),!1}},async adopt(e){d.some(t=>t.citizen_id===e.citizen_id&&t.stage===e.stage)||await P(e)},async startScreening(e){e.stage===`waiting`&&await P({...e,stage:`screening`}),b({kind:`screen`,citizen_id:e.citizen_id})},async screened(e,t){let n=bt.has(t.outcome);await P({...e,screening:{screening_id:t.screening_id,outcome:t.outcome,proposed_outcome:t.proposed_outcome,product_code:t.product_code},stage:n?`ready`:`done`}),O(n?`Screened: ${X[t.outcome]}. Ready for the dose.`:`Screened: ${X[t.outcome]}. No dose today.`),b(n?{kind:`dose`,citizen_id:e.citizen_id}:null)},async recordDose(t,n){let r;try{if(!navigator.onLine)throw new J(`offline`);let t=await e.call(`POST`,`/doses`,n);r={dose_id:t.dose_id,administered_at:t.administered_at,lot_number:t.lot_number,dose_number:t.dose_number},O(`Dose ${t.dose_number} recorded (lot ${t.lot_number}). Observation started.`)}catch(e){let i=e instanceof Y&&[502,503,504].includes(e.status);if(!(e instanceof J)&&!i)throw e;v(!(e instanceof J));let a=await E.addDose(n,t.citizen_id);r={client_id:a.client_id,administered_at:a.body.captured_at,lot_number:n.lot_number},O(`No connection: the dose is kept on this device and will be uploaded.`,`warning`)}await P({...t,dose:r,stage:`observation`}),b(null),j()},async closeObservation(t,n,r){let i={observed_minutes:Math.min(240,Math.floor((Date.now()-Date.parse(t.dose.administered_at))/6e4)),reactions:n,seriousness:r},a=!t.dose.dose_id||!navigator.onLine;if(!a)try{await e.call(`POST`,`/observations`,{...i,dose_id:t.dose.dose_id})}catch(e){if(!(e instanceof Y&&e.status===409)){if(e instanceof J)a=!0;else throw O(Q(e),`error`),e}}a&&await E.addObservation(t.dose,i,t.citizen_id),await P({...t,stage:`done`,observation:{closed_at:new Date().toISOString(),reactions:n.map(e=>e.code)}}),b(null),O(n.length?`Observation closed with ${n.length} reaction(s).`:`Observation closed: no reaction.`),a?E.flush():j()}};ke(()=>{let e=e=>{if(e.key===`Escape`){b(null);return}if(e.ctrlKey||e.metaKey||e.altKey||jt(e.target))return;let t=t=>{e.preventDefault(),document.getElementById(t)?.focus()},n=(e,t)=>(e.check_in?.queue_number??0)-(t.check_in?.queue_number??0);if(e.key===`c`)t(`checkin-code`);else if(e.key===`w`)t(`walkin-id`);else if(e.key===`q`)e.preventDefault(),document.querySelector(`.checkin button[type=button]`)?.click();else if(e.key===`s`){let t=[...F.waiting].sort(n)[0];t&&(e.preventDefault(),I.startScreening(t))}else if(e.key===`d`){let t=F.screening.filter(e=>e.stage===`ready`),n=t.find(e=>!e.elsewhere)??t[0];n&&(e.preventDefault(),I.adopt(n).then(()=>b({kind:`dose`,citizen_id:n.citizen_id})))}else e.key===`o`&&(e.preventDefault(),(document.querySelector(`.observation li[data-here] button`)??document.querySelector(`.observation li button`))?.focus())};return window.addEventListener(`keydown`,e),()=>window.removeEventListener(`keydown`,e)},[d,F]);let L=y&&d.find(e=>e.citizen_id===y.citizen_id);return y&&!L&&setTimeout(()=>b(null),0),D?z`
    <header class="top">
      <h1>${t?.name??`Site console`}</h1>
      <span class=${`status ${_?`online`:`offline`}`} role="status">
        ${_?`Online`:`Offline: recording on this device`}
      </span>
      <span class=${`pending ${p?`has`:``}`} data-pending=${p} aria-live="polite">
        ${p} pending upload${p===1?``:`s`}
      </span>
      ${p>0&&z`<button type="button" onClick=${()=>E.flush()}>Upload now</button>`}
      ${h.length>0&&z`<details class="refused">
        <summary>${h.length} refused by the server</summary>
        <ul>
          ${h.map(e=>z`<li>
              ${e.kind} for citizen ${kt(e.citizen_id)} (${e.created_at.slice(0,16).replace(`T`,` `)}):
              ${e.problem?.detail||`refused`}
            </li>`)}
        </ul>
      </details>`}
      <span class="user">${e.username} · ${e.role}</span>
      <button type="button" onClick=${()=>e.logout()}>Log out</button>
    </header>
    ${x&&z`<p
      class=${`message ${x.kind}`}
      data-at=${x.at}
      role=${x.kind===`error`?`alert`:`status`}
    >
      ${x.text}
    </p>`}
    <main id="main">
      <${Nt} app=${I} />
      ${L&&y.kind===`screen`&&z`<${Pt} key=${L.citizen_id} app=${I} person=${L} />`}
      ${L&&y.kind===`dose`&&z`<${It} key=${L.citizen_id} app=${I} person=${L} />`}
      ${L&&y.kind===`reactions`&&z`<${Lt} key=${L.citizen_id} app=${I} person=${L} />`}
      <${Bt} app=${I} now=${C} />
      <p class="keys muted">
        Keys:
        ${Vt.map(([e,t],n)=>z`${n?` · `:` `}<kbd>${e}</kbd> ${t}`)}
      </p>
    </main>
  `:z`<main id="main" class="login">
      <p class="error" role="alert">This console is for site staff: your login (${e.role}) has no site.</p>
      <button type="button" onClick=${()=>e.logout()}>Log out</button>
    </main>`}function Wt(){let[,e]=W(0),[t,n]=W(``),r=G(()=>new st(t=>{n(t===`expired`?`Your session has expired; log in again.`:``),e(e=>e+1)}),[]);return r.loggedIn?z`<${Ut} session=${r} />`:z`<${Mt} session=${r} notice=${t} />`}fe(z`<${Wt} />`,document.getElementById(`app`)),`serviceWorker`in navigator&&navigator.serviceWorker.register(`/site/sw.js`,{scope:`/site/`}).catch(()=>{});export{o as t};